/**
 * MAPI `notify_verify` (protocol-notes §6): `service=notify_verify&partner=…&notify_id=…` answers the bare
 * text `true` for a genuine notify_id of that partner that has not been acknowledged yet, `false` once the
 * merchant answered `success` or for an id it does not know, and `invalid` when the parameters are bad.
 */
import { judgeNotifyId } from '../core/notify-genuineness.js';
import type { MapiService } from './mapi-service.js';

const PID = /^2088\d{12}$/;

export const notifyVerify: MapiService = {
  name: 'notify_verify',
  signed: false,
  async run({ services, params }) {
    const partner = params.get('partner');
    const notifyId = params.get('notify_id');
    if (!partner || !notifyId || !PID.test(partner) || notifyId.length > 128) return { kind: 'text', body: 'invalid' };
    const verdict = await judgeNotifyId(services, partner, notifyId);
    return { kind: 'text', body: verdict === 'unknown_partner' ? 'invalid' : verdict === 'genuine' ? 'true' : 'false' };
  },
};

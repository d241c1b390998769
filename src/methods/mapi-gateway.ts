/**
 * The legacy MAPI gateway: `/gateway.do` with `service=`. Checks run charset, service, partner, sign type,
 * signature — each failure shown with its code (ILLEGAL_CHARSET, ILLEGAL_SERVICE, ILLEGAL_PARTNER,
 * ILLEGAL_SIGN_TYPE, ILLEGAL_SIGN) — before the service sees the request.
 */
import type { Logger } from 'pino';
import { hasUnstorableText } from '../core/storable-text.js';
import { merchantByPid } from '../core/merchants.js';
import { mapiError } from '../protocol/mapi/mapi-errors.js';
import { parseMapiSignType, verifyMapiSignature } from '../protocol/mapi/mapi-signature.js';
import type { MapiReply, MapiRequest, MapiService } from './mapi-service.js';
import type { Services } from './services.js';

export interface MapiGateway {
  handle(request: MapiRequest): Promise<MapiReply>;
  /** Whether `service` is one this gateway serves (metrics label only the services that exist). */
  serves(service: string): boolean;
}

const PID = /^2088\d{12}$/;

export function createMapiGateway(options: { services: Services; mapiServices: readonly MapiService[]; logger: Logger }): MapiGateway {
  const { services } = options;
  const byName = new Map(options.mapiServices.map((service) => [service.name, service]));
  const refuse = (code: Parameters<typeof mapiError>[0]): MapiReply => ({ kind: 'error_page', error: mapiError(code) });

  async function handle(request: MapiRequest): Promise<MapiReply> {
    const { params } = request;
    const service = byName.get(params.get('service') ?? '');
    const storable = !hasUnstorableText([...params.values()]);
    if (service && !service.signed) return storable ? service.run({ services, params }) : { kind: 'text', body: 'invalid' };
    if (!storable) return refuse('ILLEGAL_ARGUMENT');
    if (!request.charset) return refuse('ILLEGAL_CHARSET');
    if (!service) return refuse('ILLEGAL_SERVICE');
    const partnerPid = params.get('partner') ?? '';
    const partner = PID.test(partnerPid) ? await merchantByPid(services, partnerPid) : undefined;
    if (!partner) return refuse('ILLEGAL_PARTNER');
    const signType = parseMapiSignType(params.get('sign_type'));
    if (!signType) return refuse('ILLEGAL_SIGN_TYPE');
    const sign = params.get('sign');
    const keys = { md5Key: partner.md5Key, rsaPublicKey: partner.mapiRsaPublicKey, dsaPublicKey: partner.mapiDsaPublicKey };
    if (!sign || !verifyMapiSignature(params, request.charset, signType, sign, keys)) return refuse('ILLEGAL_SIGN');
    return service.run({ services, params, charset: request.charset, partner, signType, referer: request.referer });
  }

  return {
    serves: (service) => byName.has(service),
    async handle(request) {
      try {
        return await handle(request);
      } catch (error) {
        options.logger.error({ err: error }, 'MAPI request failed');
        return refuse('ILLEGAL_ARGUMENT');
      }
    },
  };
}

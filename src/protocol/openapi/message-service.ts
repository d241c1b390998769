/**
 * The message service (消息服务, protocol-notes §13.2): what Alipay POSTs to an app's application gateway
 * (应用网关). One envelope for every message, whatever its `msg_method`: `notify_id`, `msg_method`, `app_id`,
 * `version` 1.1 (the standard message: no notify_type, notify_time or auth_app_id), `biz_content` (the
 * message's own fields, a JSON text) and `charset`; each attempt adds `utc_timestamp` (milliseconds since the
 * epoch, when it is sent), `sign_type` and `sign`. No parameter is ever empty.
 */

/** The standard message protocol (1.0 is the older 生活号 one). */
export const MESSAGE_VERSION = '1.1';

export interface Message {
  msgMethod: string;
  appId: string;
  /** The message's own fields: serialised compactly, in the order given, as `biz_content`. */
  bizContent: Record<string, string>;
}

/** The message's parameters, but for utc_timestamp, sign_type and sign, which each attempt adds. */
export function messageParams(message: Message, notifyId: string): Record<string, string> {
  return {
    notify_id: notifyId,
    msg_method: message.msgMethod,
    app_id: message.appId,
    version: MESSAGE_VERSION,
    biz_content: JSON.stringify(message.bizContent),
    charset: 'utf-8',
  };
}

/** `utc_timestamp`: the time of sending, milliseconds since the epoch (13 digits), whatever the time zone. */
export function utcTimestamp(now: number): string {
  return String(Math.trunc(now));
}

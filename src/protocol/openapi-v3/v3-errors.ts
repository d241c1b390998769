/**
 * OpenAPI v3's error answers: an HTTP status and `{"code","message"}` (protocol-notes §9.4). One table maps the
 * v1 errors to them, so that both gateways raise the same errors and the mapping can be corrected in one place.
 * Gateway errors drop their `isv.`/`aop.`/`isp.` family (`isv.invalid-app-id` → `invalid-app-id`, as the live
 * v3 gateway answers); business errors drop `ACQ.` (`ACQ.TRADE_NOT_EXIST` → `TRADE_NOT_EXIST`, 400), which
 * no official source confirms yet.
 */
import type { OpenApiError } from '../openapi/openapi-error.js';

export interface V3Error {
  status: number;
  code: string;
  message: string;
}

/** HTTP statuses that differ from 400, by v1 sub_code. */
const STATUS_BY_SUB_CODE: Record<string, number> = {
  'isv.invalid-signature': 401,
  'isv.missing-signature-config': 401,
  'aop.invalid-auth-token': 401,
  'aop.invalid-app-auth-token': 401,
  'isv.insufficient-isv-permissions': 403,
  'isp.unknow-error': 500,
  'aop.unknow-error': 500,
};

/** v3 messages that the live gateway words differently from the v1 sub_msg. */
const MESSAGE_BY_CODE: Record<string, string> = {
  'invalid-parameter': '参数有误',
};

/** The v3 answer to a v1 error. */
export function v3ErrorOf(error: OpenApiError): V3Error {
  const code = error.subCode.replace(/^(isv|aop|isp)\./, '').replace(/^ACQ\./, '');
  return { status: STATUS_BY_SUB_CODE[error.subCode] ?? 400, code, message: MESSAGE_BY_CODE[code] ?? error.subMsg };
}

/** The v3 error body, serialised once (it is signed over these bytes). */
export function encodeV3Error(error: V3Error): Buffer {
  return Buffer.from(JSON.stringify({ code: error.code, message: error.message }), 'utf8');
}

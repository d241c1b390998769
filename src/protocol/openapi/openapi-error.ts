/**
 * An OpenAPI error as Alipay sends it: `code` and `msg` of the gateway's class of failure, `sub_code` and
 * `sub_msg` naming the exact one. Each family of sub_codes is a table, defined once:
 * gateway-errors.ts (isv./aop./isp.), business-errors.ts (ACQ.). Handlers raise by name.
 */

/** Gateway result codes and their English `msg`, as the live gateway writes them. */
export const RESULT_CODES = {
  '10000': 'Success',
  '20000': 'Service Currently Unavailable',
  '20001': 'Insufficient Token Permissions',
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40003': 'Insufficient Conditions',
  '40004': 'Business Failed',
  '40006': 'Insufficient Permissions',
} as const;

export type ResultCode = keyof typeof RESULT_CODES;

export class OpenApiError {
  readonly code: ResultCode;
  readonly msg: string;
  readonly subCode: string;
  readonly subMsg: string;

  constructor(code: ResultCode, subCode: string, subMsg: string) {
    this.code = code;
    this.msg = RESULT_CODES[code];
    this.subCode = subCode;
    this.subMsg = subMsg;
  }

  /** The error's fields in the order Alipay writes them. */
  toFields(): Record<string, string> {
    return { code: this.code, msg: this.msg, sub_code: this.subCode, sub_msg: this.subMsg };
  }
}

/** Builds the lookup function for one table of errors. */
export function errorFamily<Name extends string>(
  table: Record<Name, readonly [ResultCode, string]>,
): (name: Name, detail?: string) => OpenApiError {
  return (name, detail) => {
    const [code, subMsg] = table[name];
    return new OpenApiError(code, name, detail ? `${subMsg}${detail}` : subMsg);
  };
}

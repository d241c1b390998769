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

/** A table of errors looked up by sub_code as text (provoked failures name them so). */
export interface ErrorTable {
  readonly names: readonly string[];
  /** The error for a sub_code, or null when the table lacks it. */
  find(subCode: string): OpenApiError | null;
}

/** One table of errors: call it with a sub_code to raise that error. */
export interface ErrorFamily<Name extends string> extends ErrorTable {
  (name: Name, detail?: string): OpenApiError;
  readonly names: readonly Name[];
}

export function errorFamily<Name extends string>(table: Record<Name, readonly [ResultCode, string]>): ErrorFamily<Name> {
  const names = Object.keys(table) as Name[];
  const raise = (name: Name, detail?: string) => {
    const [code, subMsg] = table[name];
    return new OpenApiError(code, name, detail ? `${subMsg}${detail}` : subMsg);
  };
  return Object.assign(raise, {
    names,
    find: (subCode: string) => ((names as readonly string[]).includes(subCode) ? raise(subCode as Name) : null),
  });
}

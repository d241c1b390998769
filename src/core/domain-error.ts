/**
 * A request the domain refuses for a reason of its own (an unknown merchant, a bad setting), raised by
 * the administrative services. The admin API turns the code into an HTTP status; the gateways never see
 * these — their refusals are results with Alipay's codes.
 */
export const DOMAIN_ERROR_CODES = {
  invalid_request: 400,
  merchant_not_found: 404,
  app_not_found: 404,
  trade_not_found: 404,
  refund_not_found: 404,
  batch_not_found: 404,
  notification_not_found: 404,
  token_not_found: 404,
  job_not_found: 404,
  buyer_not_found: 404,
  snapshot_not_found: 404,
  duplicate: 409,
  balance_not_enough: 409,
  clock_not_virtual: 409,
  job_not_dead: 409,
  notification_delivered: 409,
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_CODES;

export class DomainError extends Error {
  readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}

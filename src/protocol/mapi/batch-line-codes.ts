/**
 * What a batch line's outcome is called in `result_details` (seed 002's codes). The core records outcomes in
 * its own words (a refusal's reason, or `succeeded`); this is the one place they become MAPI codes. Seed 002's
 * codes for products tuikuan does not model (ticket face values, collected charges) have no outcome here; see
 * mapi-errors.ts.
 */

const LINE_CODES: Readonly<Record<string, string>> = {
  succeeded: 'SUCCESS',
  not_this_sellers_trade: 'NOT_THIS_SELLER_TRADE',
  not_this_partners_trade: 'NOT_THIS_PARTNERS_TRADE',
  seller_account_not_normal: 'TXN_RESULT_ACCOUNT_STATUS_NOT_VALID',
  buyer_account_not_normal: 'BUYER_ERROR',
  zero_amount: 'REFUND_AMOUNT_NOT_VALID',
  // tuikuan's own, in the family of the gateways' generic codes: a line that kept failing unexpectedly.
  line_failed: 'SYSTEM_ERROR',
  trade_not_found: 'NOT_THIS_SELLER_TRADE',
  trade_not_paid: 'TRADE_STATUS_ERROR',
  trade_finished: 'TRADE_STATUS_ERROR',
  trade_frozen: 'TRADE_STATUS_ERROR',
  too_many_refunds: 'TRADE_STATUS_ERROR',
  refund_not_allowed: 'TRADE_PRODUCT_TYPE_NOT_ALLOW_REFUND',
  partial_without_request_no: 'REFUND_AMOUNT_NOT_VALID',
  amount_exceeds_total: 'REFUND_AMOUNT_NOT_VALID',
  amount_exceeds_refundable: 'REASON_TRADE_REFUND_FEE_ERR',
  red_packet_partial: 'REASON_REFUND_AMOUNT_LESS_THAN_COUPON_FEE',
  discordant_repeat: 'REASON_HAS_REFUND_FEE_NOT_MATCH',
  balance_not_enough: 'TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH',
};

/**
 * The MAPI code of a line's outcome. Lines recorded before outcomes were kept in the core's words hold the
 * code itself (upper case): those pass through as they are.
 */
export function lineCode(outcome: string): string {
  return LINE_CODES[outcome] ?? outcome;
}

/** Every outcome the core can record, for a test that each has a code. */
export const LINE_OUTCOMES: readonly string[] = Object.keys(LINE_CODES);

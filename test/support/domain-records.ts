/**
 * Domain records built in memory, for the suites that test the core's pure rules: a paid trade and a refund
 * in any status, each with what its status records; `change` overrides any field.
 */
import type { Refund, RefundRecord, RefundStatus, Trade } from '../../src/interfaces.js';

/** When the trade was paid. */
export const PAID_AT = Date.UTC(2026, 0, 1);

export function trade(change: Partial<Trade> = {}): Trade {
  return {
    tradeNo: '2026010122001000000000000001',
    outTradeNo: 'ORDER-1',
    sellerPid: '2088000000000001',
    appId: '2021000000000001',
    subject: '测试商品',
    body: null,
    productCode: 'FACE_TO_FACE_PAYMENT',
    totalAmount: 100_00,
    receiptAmount: 100_00,
    buyerPayAmount: 100_00,
    pointAmount: 0,
    invoiceAmount: 100_00,
    discountAmount: 0,
    mdiscountAmount: 0,
    vouchers: [],
    fundBills: [{ position: 0, fundChannel: 'ALIPAYACCOUNT', amount: 100_00, realAmount: 100_00, fundType: null, bankCode: null, refundedAmount: 0 }],
    buyerUserId: '2088000000000002',
    buyerLogonId: '159****5620',
    status: 'TRADE_SUCCESS',
    frozen: false,
    refundAllowed: true,
    feeRatePpm: 0,
    chargeAmount: 0,
    refundedAmount: 0,
    refundedChargeFee: 0,
    refundedSendBackFee: 0,
    pendingRefundAmount: 0,
    refundCount: 0,
    notifyUrl: null,
    charset: 'utf-8',
    storeId: null,
    terminalId: null,
    operatorId: null,
    dbackOutcome: null,
    buyerAccountStatus: 'normal',
    passbackParams: null,
    expiresAt: null,
    gmtCreate: PAID_AT,
    gmtPayment: PAID_AT,
    gmtClose: null,
    ...change,
  };
}

/** A refund in `status` (default succeeded), with the fields its status records. */
export function refund(change: Partial<RefundRecord> & { status?: RefundStatus } = {}): Refund {
  const { status = 'succeeded', ...fields } = change;
  const record: RefundRecord = {
    id: 1,
    tradeNo: '2026010122001000000000000001',
    outRequestNo: 'R1',
    refundAmount: 10_00,
    refundReason: null,
    source: 'refund',
    batchNo: null,
    operatorId: null,
    storeId: null,
    terminalId: null,
    sendBackFee: 10_00,
    refundChargeFee: 0,
    attempts: 0,
    lastError: null,
    acceptedAt: null,
    createdAt: PAID_AT,
    updatedAt: PAID_AT,
    allocations: [],
    ...fields,
  };
  switch (status) {
    case 'succeeded':
      return { ...record, status, gmtRefundPay: PAID_AT, nextAttemptAt: null };
    case 'accepted':
      return { ...record, status, acceptedAt: PAID_AT, nextAttemptAt: PAID_AT, gmtRefundPay: null };
    case 'waiting_for_funds':
      return { ...record, status, acceptedAt: PAID_AT, nextAttemptAt: PAID_AT, gmtRefundPay: null, lastError: 'balance_not_enough' };
    case 'failed':
      return { ...record, status, nextAttemptAt: null, gmtRefundPay: null, lastError: 'balance_not_enough' };
  }
}

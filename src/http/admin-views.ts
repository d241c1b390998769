/** How the admin API writes domain objects: snake_case JSON, amounts as "12.34", times in China time. */
import { formatChinaTime } from '../protocol/china-time.js';
import type { App, Merchant, Trade, TradeStatus } from '../interfaces.js';
import { formatRate, formatYuan } from '../protocol/yuan.js';
import type { PlatformKey } from '../core/platform.js';
import { voucherFields } from '../methods/trade-fields.js';

/** A time as the admin API writes it: China time, or null. */
export const time = (ms: number | null): string | null => (ms === null ? null : formatChinaTime(ms));

export function merchantView(merchant: Merchant): Record<string, unknown> {
  return {
    pid: merchant.pid,
    name: merchant.name,
    email: merchant.email,
    md5_key: merchant.md5Key,
    balance: formatYuan(merchant.balance),
    fee_rate: formatRate(merchant.feeRatePpm),
    refund_window_days: merchant.refundWindowDays,
    non_refundable_products: merchant.nonRefundableProducts,
    pwd_refund_enabled: merchant.pwdRefundEnabled,
    default_fund_mix: merchant.defaultFundMix.map((share) => ({
      fund_channel: share.fundChannel,
      percent: share.percent,
      ...(share.fundType ? { fund_type: share.fundType } : {}),
      ...(share.bankCode ? { bank_code: share.bankCode } : {}),
    })),
    dback_delay_seconds: merchant.dbackDelaySeconds,
    dback_outcome: merchant.dbackOutcome,
    account_status: merchant.accountStatus,
    mapi_rsa_public_key: merchant.mapiRsaPublicKey,
    mapi_dsa_public_key: merchant.mapiDsaPublicKey,
    created_at: time(merchant.createdAt),
  };
}

/** What merchants are given of the platform: its public key, and its certificates for certificate mode. */
export type PlatformView = Pick<PlatformKey, 'publicKeyPem' | 'certificates'>;

export function platformView(platform: PlatformView): Record<string, unknown> {
  return {
    public_key: platform.publicKeyPem,
    alipay_public_cert: platform.certificates.platformCertPem,
    alipay_cert_sn: platform.certificates.platformCertSn,
    alipay_root_cert: platform.certificates.rootCertPem,
    alipay_root_cert_sn: platform.certificates.rootCertSn,
  };
}

export function appView(app: App, platform: PlatformView): Record<string, unknown> {
  return {
    app_id: app.appId,
    pid: app.pid,
    app_public_key: app.appPublicKey,
    rsa_public_key: app.rsaPublicKey,
    platform_public_key: platform.publicKeyPem,
    key_mode: app.keyMode,
    // In certificate mode, the three files a merchant's SDK loads, and the SNs it computes from them.
    ...(app.keyMode === 'cert' && {
      app_cert: app.appCertPem,
      app_cert_sn: app.appCertSn,
      alipay_public_cert: platform.certificates.platformCertPem,
      alipay_cert_sn: platform.certificates.platformCertSn,
      alipay_root_cert: platform.certificates.rootCertPem,
      alipay_root_cert_sn: platform.certificates.rootCertSn,
    }),
    aes_key: app.aesKey,
    message_url: app.messageUrl,
    notify_wait_buyer_pay: app.notifyWaitBuyerPay,
    created_at: time(app.createdAt),
  };
}

export function tradeView(trade: Trade, status: TradeStatus): Record<string, unknown> {
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    seller_id: trade.sellerPid,
    app_id: trade.appId,
    subject: trade.subject,
    product_code: trade.productCode,
    trade_status: status,
    total_amount: formatYuan(trade.totalAmount),
    receipt_amount: formatYuan(trade.receiptAmount),
    buyer_pay_amount: formatYuan(trade.buyerPayAmount),
    point_amount: formatYuan(trade.pointAmount),
    invoice_amount: formatYuan(trade.invoiceAmount),
    discount_amount: formatYuan(trade.discountAmount),
    mdiscount_amount: formatYuan(trade.mdiscountAmount),
    fund_bill_list: trade.fundBills.map((bill) => ({
      fund_channel: bill.fundChannel,
      amount: formatYuan(bill.amount),
      real_amount: formatYuan(bill.realAmount),
      fund_type: bill.fundType,
      bank_code: bill.bankCode,
      refunded_amount: formatYuan(bill.refundedAmount),
    })),
    voucher_detail_list: voucherFields(trade.vouchers),
    buyer_user_id: trade.buyerUserId,
    buyer_logon_id: trade.buyerLogonId,
    fee_rate: formatRate(trade.feeRatePpm),
    charge_amount: formatYuan(trade.chargeAmount),
    refunded_amount: formatYuan(trade.refundedAmount),
    refunded_charge_fee: formatYuan(trade.refundedChargeFee),
    refunded_send_back_fee: formatYuan(trade.refundedSendBackFee),
    pending_refund_amount: formatYuan(trade.pendingRefundAmount),
    refund_count: trade.refundCount,
    frozen: trade.frozen,
    refund_allowed: trade.refundAllowed,
    dback_outcome: trade.dbackOutcome,
    buyer_account_status: trade.buyerAccountStatus,
    notify_url: trade.notifyUrl,
    gmt_create: time(trade.gmtCreate),
    gmt_payment: time(trade.gmtPayment),
    gmt_close: time(trade.gmtClose),
  };
}

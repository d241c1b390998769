/**
 * The refund domain's types.
 *
 * Glossary
 * - **pid**: a merchant's 16-digit Alipay user id starting `2088`. It is the MAPI `partner` and the
 *   `seller_user_id`/`seller_id` of the merchant's trades.
 * - **app**: an OpenAPI application (`app_id`) owned by a merchant, with the merchant's public keys
 *   (RSA2 and/or RSA) that verify its requests.
 * - **app_auth_token**: a merchant's authorisation for another merchant's app to call on its behalf.
 * - **trade**: a paid order, `trade_no` (Alipay's number) and `out_trade_no` (the merchant's, unique per
 *   seller). Its money arrived through a **fund bill**: one line per channel (`ALIPAYACCOUNT`, `BANKCARD`,
 *   `COUPON`, …) whose amounts sum to `total_amount`.
 * - **voucher**: a coupon used in the payment (`voucher_detail_list`), paid for by the merchant
 *   (`merchant_contribute`) and/or others (`other_contribute`). Its money is a discount channel of the fund bill.
 * - **refund**: money going back to the buyer, identified by (trade, `out_request_no`); `out_request_no`
 *   defaults to the `out_trade_no`. A refund moves through **refund states** (see refund-state.ts).
 * - **fund allocation**: how one refund is split across the trade's fund bill channels.
 * - **send_back_fee**: what the merchant actually returns for a refund: the refund minus the merchant-funded
 *   vouchers it reverses (the merchant never received that money).
 * - **charge**: the merchant's fee on a trade (`switch_fee_rate` × receipt); refunds give it back pro rata.
 * - **ledger entry**: one signed change to a merchant's available balance; the balance is their sum.
 * - **deposit-back (dback)**: a refund's return to a bank card, `P` until the bank answers `S` or `F`.
 * - **batch**: a MAPI `refund_fastpay_by_platform_pwd` request, `batch_no`, of up to 1000 **lines**.
 * - **notify / attempt**: an asynchronous notification owed to a merchant's `notify_url` — or, a **message**, to
 *   its app's gateway (`message_url`, 应用网关) —, and each try to deliver it; `notify_id` stays the same
 *   across attempts.
 * - **job**: background work due at `run_at`, claimed by a worker under a lease.
 * - **fen**: 1/100 yuan; every amount inside is integer fen. **China time**: UTC+8, how Alipay writes times.
 * - **buyer**: the payer's Alipay account: a **logon id** (an email or a mobile number), a **buyer user id**
 *   (`2088` + 12 digits, never a merchant's pid), a login and a payment password, and **funds** in the channels a
 *   payment draws from: balance (ALIPAYACCOUNT), Yu'E Bao (FINANCEACCOUNT), the Huabei credit limit (PCREDIT),
 *   points (POINT, 集分宝, each worth 1 fen), bank cards (BANKCARD) and the **coupons** the buyer holds: red packets
 *   and coupons funded by Alipay (COUPON) or by one merchant (MCOUPON, MDISCOUNT).
 * - **draw**: what one payment takes from one of the buyer's channels (one card, one coupon).
 */
/** An amount of money in fen: a non-negative or signed safe integer, never a float of yuan. */
export type Fen = number;

/** A rate such as 0.6% kept exactly as parts per million (6000), so fee arithmetic stays integral. */
export type RatePpm = number;

export type SignType = 'RSA2' | 'RSA';

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';
export const TRADE_STATUSES: readonly TradeStatus[] = ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSED', 'TRADE_FINISHED'];

export type DbackStatus = 'P' | 'S' | 'F';

/**
 * The status of an Alipay account, seller's or buyer's. tuikuan has no accounts of its own to go wrong, so it
 * is data an operator sets through the admin API; a batch line of an account not `normal` is refused (seed 002:
 * TXN_RESULT_ACCOUNT_STATUS_NOT_VALID for the seller, BUYER_ERROR for the buyer).
 */
export type AccountStatus = 'normal' | 'frozen';
export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['normal', 'frozen'];

/** One share of a merchant's default fund mix for simulated payments. */
export interface FundMixShare {
  fundChannel: string;
  /** Whole percent of the buyer's payment; the shares of a mix add up to 100. */
  percent: number;
  fundType?: string;
  bankCode?: string;
}

export interface Merchant {
  pid: string;
  name: string;
  email: string;
  md5Key: string;
  balance: Fen;
  /** The fee rate on new trades. (Default: 0) */
  feeRatePpm: RatePpm;
  /** Days after payment during which a trade can be refunded. (Default: 365) */
  refundWindowDays: number;
  /** Whether the batch refund with password (refund_fastpay_by_platform_pwd) is signed. (Default: true) */
  pwdRefundEnabled: boolean;
  /** How simulated payments are funded. (Default: 100% ALIPAYACCOUNT) */
  defaultFundMix: FundMixShare[];
  /** Seconds until the simulated bank answers a bank-card refund. (Default: 3600) */
  dbackDelaySeconds: number;
  /** What the simulated bank answers. (Default: S) */
  dbackOutcome: 'S' | 'F';
  /** The seller's account. (Default: normal) */
  accountStatus: AccountStatus;
  /**
   * Product codes signed without refunds: a trade of one is TRADE_FINISHED once paid, refunded by nothing
   * (protocol-notes §12.8). (Default: none)
   */
  nonRefundableProducts: string[];
  mapiRsaPublicKey: string | null;
  mapiDsaPublicKey: string | null;
  createdAt: number;
}

export interface App {
  appId: string;
  pid: string;
  /** Verifies RSA2 (SHA256withRSA) requests. */
  appPublicKey: string | null;
  /** Verifies RSA (SHA1withRSA) requests. */
  rsaPublicKey: string | null;
  createdAt: number;
  /**
   * How requests name the app's key: `public_key` (the key registered as is) or `cert` (公钥证书: requests carry
   * the SNs of the app's certificate and of Alipay's root, replies the platform certificate's).
   */
  keyMode: KeyMode;
  /** In certificate mode: the app's public-key certificate (PEM) and its SN. */
  appCertPem: string | null;
  appCertSn: string | null;
  /** The AES key (base64) for content encryption; null when the app has none. */
  aesKey: string | null;
  /** The app's application gateway (应用网关), where message notifications go; null when none. */
  messageUrl: string | null;
  /**
   * Whether a trade created unpaid notifies WAIT_BUYER_PAY (as Alipay did for a scanned QR code); Alipay's
   * default notifies no such thing (protocol-notes §12.8). (Default: false)
   */
  notifyWaitBuyerPay: boolean;
}

export const KEY_MODES = ['public_key', 'cert'] as const;
export type KeyMode = (typeof KEY_MODES)[number];

export interface FundBill {
  fundChannel: string;
  amount: Fen;
  realAmount: Fen;
  fundType: string | null;
  bankCode: string | null;
}

export interface TradeFundBill extends FundBill {
  position: number;
  refundedAmount: Fen;
}

export interface Voucher {
  id: string;
  name: string;
  type: string;
  amount: Fen;
  merchantContribute: Fen;
  otherContribute: Fen;
  memo?: string;
  templateId?: string;
}

/** How a caller names a trade: Alipay's trade_no wins over the merchant's out_trade_no when both are given. */
export interface TradeKey {
  tradeNo?: string | undefined;
  outTradeNo?: string | undefined;
  /** The seller the call acts for; out_trade_no is unique only per seller. */
  sellerPid: string;
}

export interface Trade {
  tradeNo: string;
  outTradeNo: string;
  sellerPid: string;
  appId: string;
  subject: string;
  body: string | null;
  productCode: string;
  totalAmount: Fen;
  /** What the merchant received: total less merchant-funded discounts. */
  receiptAmount: Fen;
  buyerPayAmount: Fen;
  pointAmount: Fen;
  invoiceAmount: Fen;
  /** Discounts funded by Alipay or others. */
  discountAmount: Fen;
  /** Discounts funded by the merchant. */
  mdiscountAmount: Fen;
  vouchers: Voucher[];
  fundBills: TradeFundBill[];
  buyerUserId: string;
  buyerLogonId: string;
  /** The stored status; see trade-status.ts for the status as of a given time. */
  status: TradeStatus;
  frozen: boolean;
  /** False when the trade's product does not allow refunds. */
  refundAllowed: boolean;
  feeRatePpm: RatePpm;
  chargeAmount: Fen;
  refundedAmount: Fen;
  refundedChargeFee: Fen;
  refundedSendBackFee: Fen;
  /** Accepted asynchronous refunds not yet carried out: reserved, so no other refund can take it. */
  pendingRefundAmount: Fen;
  refundCount: number;
  notifyUrl: string | null;
  charset: string;
  storeId: string | null;
  terminalId: string | null;
  operatorId: string | null;
  /** Overrides the merchant's simulated bank outcome for this trade's bank-card refunds. */
  dbackOutcome: 'S' | 'F' | null;
  /** The buyer's account. (Default: normal) */
  buyerAccountStatus: AccountStatus;
  /** Echoed as is in the trade's notifications (the order's passback_params). */
  passbackParams: string | null;
  /** When a trade waiting for the buyer closes by itself (its order's timeout); null when it does not. */
  expiresAt: number | null;
  gmtCreate: number;
  gmtPayment: number | null;
  gmtClose: number | null;
}

export type RefundStatus = Refund['status'];

/** Where a refund request came from; `cancel` is alipay.trade.cancel of a paid trade (all of it, at once). */
export type RefundSource = 'refund' | 'refund.apply' | 'batch' | 'cancel';

export interface FundAllocation {
  position: number;
  fundChannel: string;
  fundType: string | null;
  bankCode: string | null;
  amount: Fen;
  realAmount: Fen;
  dbackStatus: DbackStatus | null;
  bankAckTime: number | null;
  estBankReceiptTime: number | null;
  /**
   * Where a bank-card allocation's money finally went once the bank answered: the card on `S`, the buyer's
   * Alipay balance (`ALIPAYACCOUNT`) on `F`. Null until then, and for every other channel.
   */
  returnedTo: string | null;
}

/** What every refund records, whatever its status. */
export interface RefundRecord {
  id: number;
  tradeNo: string;
  outRequestNo: string;
  refundAmount: Fen;
  refundReason: string | null;
  source: RefundSource;
  batchNo: string | null;
  operatorId: string | null;
  storeId: string | null;
  terminalId: string | null;
  /** What went back to the buyer's channels, and the merchant fee given back: 0 until it succeeds. */
  sendBackFee: Fen;
  refundChargeFee: Fen;
  /** Runs that could not carry it out (refund.apply), and why the last one could not. */
  attempts: number;
  lastError: string | null;
  /** When an asynchronous refund was (last) accepted: its retries are given up 3 days later. */
  acceptedAt: number | null;
  createdAt: number;
  updatedAt: number;
  allocations: FundAllocation[];
}

/**
 * A refund, by its status (refund-state.ts draws the moves; `moveRefund` is the only way between them). Only
 * a succeeded refund has moved money (gmtRefundPay); only a pending one is due (nextAttemptAt); a stopped or
 * failed one says why (lastError).
 */
export type Refund =
  /** refund.apply accepted it: its amount is reserved on the trade, and the worker carries it out. */
  | (RefundRecord & { status: 'accepted'; acceptedAt: number; nextAttemptAt: number; gmtRefundPay: null })
  /** The merchant's balance (or a freeze) stopped it; it is tried again at nextAttemptAt. */
  | (RefundRecord & { status: 'waiting_for_funds'; acceptedAt: number; nextAttemptAt: number; gmtRefundPay: null; lastError: string })
  | (RefundRecord & { status: 'succeeded'; nextAttemptAt: null; gmtRefundPay: number })
  /** Given up (its reservation released); the same out_request_no may be tried again. */
  | (RefundRecord & { status: 'failed'; nextAttemptAt: null; gmtRefundPay: null; lastError: string });

/** A refund not written yet: what a request asks for, before it is accepted or carried out. Never stored. */
export type RefundDraft = RefundRecord & { status: 'new'; nextAttemptAt: null; gmtRefundPay: null };

/** `Omit` over each member of a union, keeping it discriminated. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A batch's life: created `awaiting_confirmation` (the seller is on the cashier pages); `processing` once
 * the seller confirms with the payment password; `completed` when every line has its outcome and the
 * notification is owed. Or `cancelled` by the seller, or `locked` after five wrong login or payment passwords.
 */
export type BatchStatus = 'awaiting_confirmation' | 'processing' | 'completed' | 'cancelled' | 'locked';

export interface BatchLine {
  position: number;
  tradeNo: string;
  amount: Fen;
  /** The amount as the request wrote it; result_details echoes it. */
  amountText: string;
  reason: string;
  /** `SUCCESS` or the line's error code; null until processed. */
  result: string | null;
  refundId: number | null;
  /** The merchant fee the line's refund gave back. */
  chargeFee: Fen | null;
  processedAt: number | null;
  /** Runs of the line that threw (an unexpected failure, not a refusal), and the last one's error. */
  attempts: number;
  lastError: string | null;
}

export interface Batch {
  id: number;
  batchNo: string;
  partnerPid: string;
  sellerPid: string;
  token: string;
  status: BatchStatus;
  charset: string;
  signType: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  refundDate: string;
  batchNum: number;
  pwdFailures: number;
  /** Wrong login passwords, counted per batch: a fresh cookie does not start again. */
  loginFailures: number;
  successNum: number | null;
  resultDetails: string | null;
  createdAt: number;
  confirmedAt: number | null;
  completedAt: number | null;
}

/** A pay order's state: as the trade it becomes will read (protocol-notes §12.8). */
export type PayOrderStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

/**
 * The APIs whose orders the buyer pays on the cashier: the page APIs, the QR code (`precreate`) and the JSAPI /
 * mini-program order (`create`).
 */
export type PayOrderMethod = 'alipay.trade.page.pay' | 'alipay.trade.wap.pay' | 'alipay.trade.precreate' | 'alipay.trade.create';

/**
 * What the merchant asked the buyer to pay. For page.pay, wap.pay and precreate there is no trade until the
 * buyer acts on the cashier (logs in — for a QR code, scans it): then a trade waits for the buyer's payment
 * (protocol-notes §12.1, §12.6); `create` makes its trade at once, for the buyer it names. `token` names the
 * order in the cashier's URL (and the QR code's).
 */
export interface PayOrder {
  id: number;
  token: string;
  method: PayOrderMethod;
  appId: string;
  sellerPid: string;
  outTradeNo: string;
  totalAmount: number;
  subject: string;
  body: string | null;
  productCode: string;
  /** The request's biz params and method, canonical: a repeat with other ones is ACQ.CONTEXT_INCONSISTENT. */
  fingerprint: string;
  charset: string;
  returnUrl: string | null;
  notifyUrl: string | null;
  /** wap.pay: where a buyer who gives up goes back to. */
  quitUrl: string | null;
  status: PayOrderStatus;
  /** The order's trade once there is one: waiting for the buyer, then paid or closed. */
  tradeNo: string | null;
  /** create: the buyer the order is for; otherwise the buyer who last logged in on its cashier. */
  buyerUserId: string | null;
  /** `0` virtual goods (no Huabei), `1` physical; null when not said. */
  goodsType: string | null;
  /** Echoed as is in the notifications of the order's trade. */
  passbackParams: string | null;
  /** The request's `enable_pay_channels` / `disable_pay_channels`, comma-separated, as sent (pay-channel-policy.ts). */
  enablePayChannels: string | null;
  disablePayChannels: string | null;
  /** How often the merchant asked for this order (precreate gives no QR code past 20). */
  requestCount: number;
  /** Wrong login passwords on the order's cashier, whichever session they came from. */
  loginFailures: number;
  createdAt: number;
  expiresAt: number;
  closedAt: number | null;
  paidAt: number | null;
}

/**
 * What a notification owed reports, as facts recorded with its cause; the worker encodes them (protocol/) when
 * it sends. A trade's status notification: the trade, its seller and the refund, at the moment it happened.
 */
export interface TradeStatusFacts {
  kind: 'trade_status_sync';
  trade: Pick<
    Trade,
    | 'tradeNo'
    | 'outTradeNo'
    | 'appId'
    | 'charset'
    | 'buyerUserId'
    | 'buyerLogonId'
    | 'status'
    | 'totalAmount'
    | 'receiptAmount'
    | 'invoiceAmount'
    | 'buyerPayAmount'
    | 'pointAmount'
    | 'subject'
    | 'body'
    | 'gmtCreate'
    | 'gmtPayment'
    | 'gmtClose'
    | 'refundedAmount'
  > & {
    fundBills: Array<Pick<FundBill, 'fundChannel' | 'amount'>>;
    /** The order's passback_params, echoed as is; absent in facts recorded before orders had them. */
    passbackParams?: string | null;
  };
  seller: Pick<Merchant, 'pid' | 'email'>;
  refund: Pick<Refund, 'outRequestNo' | 'sendBackFee' | 'gmtRefundPay'> | null;
  /** Which keys the app has registered (its notifications are signed in its algorithm). */
  appKeys: { rsa2: boolean; rsa: boolean };
}

/** A batch refund's notification: every line's outcome. */
export interface BatchRefundFacts {
  kind: 'batch_refund_notify';
  batchNo: string;
  /** How the batch request was signed. */
  requestSignType: string;
  seller: Pick<Merchant, 'pid' | 'email'>;
  lines: Array<{ tradeNo: string; amountText: string; outcome: string | null; chargeFee: Fen | null }>;
}

/**
 * A bank's answer to one bank-card allocation of a refund (the message alipay.trade.refund.depositback.completed
 * to the app's gateway): the refund it belongs to, the answer, the amount, and when the bank answered.
 */
export interface DepositBackFacts {
  kind: 'alipay.trade.refund.depositback.completed';
  appId: string;
  tradeNo: string;
  outTradeNo: string;
  outRequestNo: string;
  dbackStatus: 'S' | 'F';
  dbackAmount: Fen;
  bankAckTime: number;
  estBankReceiptTime: number | null;
  /** Which keys the app has registered (its messages are signed in its algorithm). */
  appKeys: { rsa2: boolean; rsa: boolean };
}

export type NotificationFacts = TradeStatusFacts | BatchRefundFacts | DepositBackFacts;

/** The coupons a buyer can hold: a red packet funded by Alipay, or a merchant's red packet or coupon. */
export const BUYER_COUPON_CHANNELS = ['COUPON', 'MCOUPON', 'MDISCOUNT'] as const;
export type BuyerCouponChannel = (typeof BUYER_COUPON_CHANNELS)[number];

/** Whether a fund channel is one of the coupons a buyer holds (a red packet or a merchant's coupon). */
export function isBuyerCouponChannel(fundChannel: string): fundChannel is BuyerCouponChannel {
  return (BUYER_COUPON_CHANNELS as readonly string[]).includes(fundChannel);
}

/** The buyer's own funds a payment can be chosen to draw from (coupons are chosen one by one). */
export const BUYER_PAY_CHANNELS = ['POINT', 'ALIPAYACCOUNT', 'FINANCEACCOUNT', 'PCREDIT', 'BANKCARD'] as const;
export type BuyerPayChannel = (typeof BUYER_PAY_CHANNELS)[number];

export interface BuyerBankCard {
  /** 1, 2, …: the card's place among the buyer's cards, which names it. */
  position: number;
  /** The bank, e.g. `ICBC`, `CMB`: a BANKCARD fund bill's `bank_code`. */
  bankCode: string;
  /** `DEBIT_CARD`, `CREDIT_CARD` or `MIXED_CARD`: a BANKCARD fund bill's `fund_type`. */
  fundType: string;
  /** The card number's last four digits. */
  cardTail: string;
  /** What the bank lets this card pay; null when the simulated bank always pays. (Default: null) */
  available: Fen | null;
}

export interface BuyerCoupon {
  /** The voucher's id, which `voucher_detail_list` reports. */
  voucherId: string;
  fundChannel: BuyerCouponChannel;
  name: string;
  /** For MCOUPON/MDISCOUNT: the merchant that funds it, whose trades alone it applies to; null for COUPON. */
  merchantPid: string | null;
  /** Its face value. */
  amount: Fen;
  /** What is left to use. A whole-only coupon is usable only while nothing of it is used. */
  remaining: Fen;
  /** Whether a payment must use all of it at once. (Default: false for red packets, true for MDISCOUNT) */
  wholeOnly: boolean;
  /** When it stops being usable; null when never. */
  expiresAt: number | null;
  createdAt: number;
}

/** A buyer's amounts, each channel's in fen. */
export interface BuyerAmounts {
  /** ALIPAYACCOUNT: the Alipay balance (余额). */
  balance: Fen;
  /** FINANCEACCOUNT: Yu'E Bao (余额宝). */
  yuebao: Fen;
  /** PCREDIT: the Huabei credit limit (花呗额度) and what of it is used; what is available is the difference. */
  huabeiLimit: Fen;
  huabeiUsed: Fen;
  /** POINT: 集分宝, each worth one fen. */
  points: Fen;
}

export interface BuyerFunds extends BuyerAmounts {
  bankCards: BuyerBankCard[];
  coupons: BuyerCoupon[];
}

/** A buyer, without the funds. */
export interface BuyerAccount {
  buyerUserId: string;
  logonId: string;
  name: string;
  /** A frozen buyer cannot pay. (Default: normal) */
  accountStatus: AccountStatus;
  /** Wrong payment passwords counted until `paymentPasswordFailuresResetAt` (the next China midnight). */
  paymentPasswordFailures: number;
  paymentPasswordFailuresResetAt: number | null;
  createdAt: number;
}

export interface Buyer extends BuyerAccount {
  funds: BuyerFunds;
}

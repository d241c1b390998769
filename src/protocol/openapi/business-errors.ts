/**
 * Business errors (code 40004 "Business Failed"), one table per family of methods, with the sub_msg of
 * the seed or of Alipay's published list. A sub_code can read differently in two families — seed 001
 * says 系统错误 where seed 000 says 系统繁忙 — which is why each family has its own table.
 */
import { errorFamily, type ResultCode } from './openapi-error.js';

const B = '40004' satisfies ResultCode;

/** alipay.trade.refund and alipay.trade.refund.apply: seed 000's table, and the synchronous refund's codes (notes §1.4). */
const REFUND_ERRORS = {
  'ACQ.SYSTEM_ERROR': [B, '系统繁忙'],
  'ACQ.INVALID_PARAMETER': [B, '参数无效'],
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': [B, '退款金额超限'],
  'ACQ.TRADE_NOT_EXIST': [B, '交易不存在'],
  'ACQ.TRADE_HAS_FINISHED': [B, '交易已完结'],
  'ACQ.TRADE_STATUS_ERROR': [B, '交易状态非法'],
  'ACQ.DISCORDANT_REPEAT_REQUEST': [B, '不一致的请求'],
  'ACQ.REASON_TRADE_REFUND_FEE_ERR': [B, '退款金额无效'],
  'ACQ.TRADE_NOT_ALLOW_REFUND': [B, '当前交易不允许退款'],
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': [B, '卖家余额不足'],
  'ACQ.REASON_TRADE_BEEN_FREEZEN': [B, '请求退款的交易被冻结'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type RefundErrorName = keyof typeof REFUND_ERRORS;
export const refundError = errorFamily<RefundErrorName>(REFUND_ERRORS);

/** alipay.trade.fastpay.refund.query: seed 001's table, its codes restored to capitals. */
const REFUND_QUERY_ERRORS = {
  'ACQ.ENTERPRISE_PAY_BIZ_ERROR': [B, '因公付业务异常'],
  'ACQ.INVALID_PARAMETER': [B, '参数无效'],
  'ACQ.SYSTEM_ERROR': [B, '系统错误'],
  'ACQ.TRADE_NOT_EXIST': [B, '交易不存在'],
  TRADE_NOT_EXIST: [B, '查询退款的交易不存在'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type RefundQueryErrorName = keyof typeof REFUND_QUERY_ERRORS;
export const refundQueryError = errorFamily<RefundQueryErrorName>(REFUND_QUERY_ERRORS);

/** alipay.trade.pay and alipay.trade.query (notes §5). */
const TRADE_ERRORS = {
  'ACQ.SYSTEM_ERROR': [B, '系统错误'],
  'ACQ.INVALID_PARAMETER': [B, '参数无效'],
  'ACQ.TRADE_NOT_EXIST': [B, '交易不存在'],
  'ACQ.TRADE_HAS_SUCCESS': [B, '交易已被支付'],
  'ACQ.TRADE_HAS_CLOSE': [B, '交易已经关闭'],
  'ACQ.CONTEXT_INCONSISTENT': [B, '交易信息被篡改'],
  'ACQ.PAYMENT_AUTH_CODE_INVALID': [B, '支付授权码无效'],
  'ACQ.TOTAL_FEE_EXCEED': [B, '订单总金额超过限额'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type TradeErrorName = keyof typeof TRADE_ERRORS;
export const tradeError = errorFamily<TradeErrorName>(TRADE_ERRORS);

/** alipay.trade.page.pay and alipay.trade.wap.pay, shown on the gateway's error page (notes §12.4, §12.6). */
const PAGE_PAY_ERRORS = {
  'ACQ.SYSTEM_ERROR': [B, '系统错误'],
  'ACQ.INVALID_PARAMETER': [B, '参数无效'],
  'ACQ.TRADE_HAS_SUCCESS': [B, '交易已被支付'],
  'ACQ.TRADE_HAS_CLOSE': [B, '交易已经关闭'],
  'ACQ.CONTEXT_INCONSISTENT': [B, '交易信息被篡改'],
  'ACQ.TOTAL_FEE_EXCEED': [B, '订单总金额不在允许范围内'],
  'ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR': [B, '当前时间已超过允许支付的时间'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type PagePayErrorName = keyof typeof PAGE_PAY_ERRORS;
export const pagePayError = errorFamily<PagePayErrorName>(PAGE_PAY_ERRORS);

/** alipay.trade.precreate and alipay.trade.create (notes §12.6). */
const ORDER_ERRORS = {
  'ACQ.SYSTEM_ERROR': [B, '接口返回错误'],
  'ACQ.INVALID_PARAMETER': [B, '参数无效'],
  'ACQ.ACCESS_FORBIDDEN': [B, '无权限使用接口'],
  'ACQ.EXIST_FORBIDDEN_WORD': [B, '订单信息中包含违禁词'],
  'ACQ.PARTNER_ERROR': [B, '应用APP_ID填写错误'],
  'ACQ.TOTAL_FEE_EXCEED': [B, '订单总金额不在允许范围内'],
  'ACQ.BUYER_SELLER_EQUAL': [B, '买卖家不能相同'],
  'ACQ.BUYER_ENABLE_STATUS_FORBID': [B, '买家状态非法'],
  'ACQ.SELLER_BEEN_BLOCKED': [B, '商家账号被冻结'],
  'ACQ.TRADE_HAS_CLOSE': [B, '交易已经关闭'],
  'ACQ.CONTEXT_INCONSISTENT': [B, '交易信息被篡改'],
  'ACQ.TRADE_BUYER_NOT_MATCH': [B, '交易买家不匹配'],
  'ACQ.TRADE_HAS_SUCCESS': [B, '交易已被支付'],
  'ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR': [B, '当前时间已超过允许支付的时间'],
  'ACQ.APPLY_PC_MERCHANT_CODE_ERROR': [B, '同样的订单号不能重复多次申请二维码'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type OrderErrorName = keyof typeof ORDER_ERRORS;
export const orderError = errorFamily<OrderErrorName>(ORDER_ERRORS);

/** alipay.trade.close (notes §12.9). */
const CLOSE_ERRORS = {
  'ACQ.SYSTEM_ERROR': [B, '系统错误'],
  'ACQ.INVALID_PARAMETER': [B, '参数无效'],
  'ACQ.TRADE_NOT_EXIST': [B, '交易不存在'],
  'ACQ.TRADE_STATUS_ERROR': [B, '交易状态不合法'],
  'ACQ.REASON_TRADE_STATUS_INVALID': [B, '交易状态异常'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type CloseErrorName = keyof typeof CLOSE_ERRORS;
export const closeError = errorFamily<CloseErrorName>(CLOSE_ERRORS);

/** alipay.trade.cancel (notes §12.10; AQC.SYSTEM_ERROR is Alipay's own spelling, kept). */
const CANCEL_ERRORS = {
  'ACQ.SYSTEM_ERROR': [B, '接口返回错误'],
  'AQC.SYSTEM_ERROR': [B, '系统错误'],
  'ACQ.INVALID_PARAMETER': [B, '参数无效'],
  'ACQ.CANCEL_NOT_ALLOWED': [B, '交易不允许撤销'],
  'ACQ.REASON_TRADE_BEEN_FREEZEN': [B, '当前交易被冻结，不允许进行撤销'],
  'ACQ.REASON_TRADE_REFUND_FEE_ERR': [B, '退款金额无效'],
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': [B, '商户的支付宝账户中无足够的资金进行撤销'],
  'ACQ.TRADE_CANCEL_TIME_OUT': [B, '超过撤销时间范围'],
  'ACQ.TRADE_HAS_FINISHED': [B, '交易已经完结'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type CancelErrorName = keyof typeof CANCEL_ERRORS;
export const cancelError = errorFamily<CancelErrorName>(CANCEL_ERRORS);

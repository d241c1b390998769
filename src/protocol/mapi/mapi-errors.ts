/**
 * MAPI error codes and their meanings: the gateway's access errors (protocol-notes §6) and seed 002's
 * business errors of the batch refund with password. MAPI shows them by code — on an HTML error page for
 * a page service, in `result_details` for a batch line.
 */
export const MAPI_ERRORS = {
  // Access errors of the MAPI gateway.
  ILLEGAL_SIGN: '签名不正确',
  ILLEGAL_SIGN_TYPE: '签名类型不正确',
  ILLEGAL_CHARSET: '字符集不合法',
  ILLEGAL_SERVICE: '接口名称不正确',
  ILLEGAL_PARTNER: '合作伙伴ID不正确',
  ILLEGAL_ARGUMENT: '参数不正确',
  // Seed 002: refund_fastpay_by_platform_pwd.
  ILLEGAL_USER: '用户ID不正确',
  BATCH_NUM_EXCEED_LIMIT: '总比数大于1000',
  REFUND_DATE_ERROR: '错误的退款时间',
  BATCH_NUM_ERROR: '传入的总笔数格式错误',
  BATCH_NUM_NOT_EQUAL_TOTAL: '传入的退款条数不等于数据集解析出的退款条数',
  SINGLE_DETAIL_DATA_EXCEED_LIMIT: '单笔退款明细超出限制',
  NOT_THIS_SELLER_TRADE: '不是当前卖家的交易',
  DUBL_TRADE_NO_IN_SAME_BATCH: '同一批退款中存在两条相同的退款记录',
  DUPLICATE_BATCH_NO: '重复的批次号',
  TRADE_STATUS_ERROR: '交易状态不允许退款',
  BATCH_NO_FORMAT_ERROR: '批次号格式错误',
  SELLER_INFO_NOT_EXIST: '卖家信息不存在',
  PARTNER_NOT_SIGN_PROTOCOL: '平台商未签署协议',
  NOT_THIS_PARTNERS_TRADE: '退款明细非本合作伙伴的交易',
  DETAIL_DATA_FORMAT_ERROR: '数据集参数格式错误',
  PWD_REFUND_NOT_ALLOW_ROYALTY: '有密接口不允许退分润',
  REFUND_AMOUNT_NOT_VALID: '退款金额不合法',
  TRADE_PRODUCT_TYPE_NOT_ALLOW_REFUND: '交易类型不允许退交易',
  REASON_TRADE_REFUND_FEE_ERR: '退款金额错误',
  REASON_HAS_REFUND_FEE_NOT_MATCH: '已退款金额错误',
  TXN_RESULT_ACCOUNT_STATUS_NOT_VALID: '账户状态无效',
  TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH: '账户余额不足',
  REASON_REFUND_AMOUNT_LESS_THAN_COUPON_FEE: '红包无法部分退款',
  BUYER_ERROR: '因买家支付宝账户问题不允许退款',
  // tuikuan's own line outcome, in the MAPI gateways' family of generic codes: a line whose processing failed
  // unexpectedly MAX_LINE_ATTEMPTS times (core/batches.ts) is given up rather than keep its batch processing.
  SYSTEM_ERROR: '系统错误',
  // Seed 002's codes for products tuikuan does not model: never produced, kept so that this table is the
  // seed's whole list. NANHANG_REFUND_CHARGE_AMOUNT_ERROR and RESULT_FACE_AMOUNT_NOT_VALID are about an air
  // ticket's face value (票面价); REFUND_CHARGE_FEE_ERROR, REASON_REFUND_CHARGE_ERR and RESULT_AMOUNT_NOT_VALID
  // about separately collected charges (收费) refunded with a trade; RESULT_ACCOUNT_NO_NOT_VALID about the
  // account such a charge goes back to. tuikuan's trades carry none of these; the merchant's fee goes back to
  // the seller's own account with the refund (the `$…^SUCCESS` part of result_details).
  NANHANG_REFUND_CHARGE_AMOUNT_ERROR: '退票面价金额不合法',
  RESULT_FACE_AMOUNT_NOT_VALID: '退款票面价不能大于支付票面价',
  REFUND_CHARGE_FEE_ERROR: '退收费金额不合法',
  REASON_REFUND_CHARGE_ERR: '退收费失败',
  RESULT_AMOUNT_NOT_VALID: '退收费金额错误',
  RESULT_ACCOUNT_NO_NOT_VALID: '账号无效',
} as const;

export type MapiErrorCode = keyof typeof MAPI_ERRORS;

/** A MAPI request refused as a whole: the code is shown on the error page, nothing is created. */
export class MapiError {
  readonly code: MapiErrorCode;
  readonly meaning: string;

  constructor(code: MapiErrorCode) {
    this.code = code;
    this.meaning = MAPI_ERRORS[code];
  }
}

export function mapiError(code: MapiErrorCode): MapiError {
  return new MapiError(code);
}

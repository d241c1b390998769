/** Every OpenAPI method and MAPI service the gateway serves. */
import type { MapiService } from './mapi-service.js';
import { notifyVerify } from './notify-verify.js';
import type { OpenApiMethod } from './openapi-method.js';
import { refundFastpayByPlatformPwd } from './refund-fastpay-by-platform-pwd.js';
import { tradeFastpayRefundQuery } from './trade-fastpay-refund-query.js';
import { tradeCancel } from './trade-cancel.js';
import { tradeClose } from './trade-close.js';
import { tradeCreate } from './trade-create.js';
import { tradePagePay, tradeWapPay } from './trade-page-pay.js';
import { tradePay } from './trade-pay.js';
import { tradePrecreate } from './trade-precreate.js';
import { tradeQuery } from './trade-query.js';
import { tradeRefund } from './trade-refund.js';
import { tradeRefundApply } from './trade-refund-apply.js';

export const openApiMethods: readonly OpenApiMethod[] = [
  tradePay,
  tradePagePay,
  tradeWapPay,
  tradePrecreate,
  tradeCreate,
  tradeQuery,
  tradeClose,
  tradeCancel,
  tradeRefund,
  tradeRefundApply,
  tradeFastpayRefundQuery,
];

export const mapiServices: readonly MapiService[] = [refundFastpayByPlatformPwd, notifyVerify];

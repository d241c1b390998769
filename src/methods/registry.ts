/** Every OpenAPI method the gateway serves. */
import type { OpenApiMethod } from './openapi-method.js';
import { tradeFastpayRefundQuery } from './trade-fastpay-refund-query.js';
import { tradePay } from './trade-pay.js';
import { tradeQuery } from './trade-query.js';
import { tradeRefund } from './trade-refund.js';
import { tradeRefundApply } from './trade-refund-apply.js';

export const openApiMethods: readonly OpenApiMethod[] = [tradePay, tradeQuery, tradeRefund, tradeRefundApply, tradeFastpayRefundQuery];

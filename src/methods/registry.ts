/** Every OpenAPI method the gateway serves. */
import type { OpenApiMethod } from './openapi-method.js';
import { tradePay } from './trade-pay.js';
import { tradeQuery } from './trade-query.js';

export const openApiMethods: readonly OpenApiMethod[] = [tradePay, tradeQuery];

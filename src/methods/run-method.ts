/**
 * Running an OpenAPI method once the gateway — v1 or v3 — has checked the call: a provoked failure
 * (`/admin/v1/faults`) answers `before` the method runs or `after` it has run and committed, and a method that
 * throws is answered 20000 isp.unknow-error, never with what it threw. Both gateways run methods here, so a
 * method behaves the same whichever protocol calls it.
 */
import type { Logger } from 'pino';
import { gatewayError } from '../protocol/openapi/gateway-errors.js';
import { failure, type MethodContext, type MethodReply, type OpenApiMethod } from './openapi-method.js';

export async function runMethod(target: OpenApiMethod, biz: unknown, context: MethodContext, logger: Logger): Promise<MethodReply> {
  const fault = await context.services.faults.next(target.name);
  const provoked = fault && (fault.subCode === 'isp.unknow-error' ? gatewayError('isp.unknow-error') : target.errors.find(fault.subCode));
  if (fault?.phase === 'before' && provoked) return failure(provoked, await target.failureFields(biz, context));

  let result: MethodReply;
  try {
    result = await target.run(biz, context);
  } catch (error) {
    logger.error({ err: error, method: target.name }, 'method failed');
    return failure(gatewayError('isp.unknow-error'));
  }
  // An `after` fault: the method has done its work, but the caller is told it failed.
  if (provoked) return failure(provoked, await target.failureFields(biz, context));
  return result;
}

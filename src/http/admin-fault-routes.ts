/**
 * Admin API: faults — a method made to fail with one of its own error codes, `times` calls in a row, before
 * (`phase: before`) or after (`after`) its effect; armed, listed and cleared.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '../core/domain-error.js';
import { armedFaults, clearFaults, type Fault, type FaultRequest } from '../core/faults.js';
import type { OpenApiMethod } from '../methods/openapi-method.js';
import type { Services } from '../methods/services.js';
import { faultBody, parse } from './admin-bodies.js';

/**
 * A fault to arm, checked against the methods served: the method must be one of them, and the sub_code one of
 * its own errors (or isp.unknow-error). Shared by the admin API and the console.
 */
export function checkedFaultRequest(methods: readonly OpenApiMethod[], body: z.infer<typeof faultBody>): FaultRequest {
  const method = methods.find((m) => m.name === body.method);
  if (!method) throw new DomainError('invalid_request', `method: ${body.method} is not served here`);
  if (body.sub_code !== 'isp.unknow-error' && !method.errors.find(body.sub_code)) {
    throw new DomainError('invalid_request', `sub_code: one of isp.unknow-error, ${method.errors.names.join(', ')}`);
  }
  return {
    method: body.method,
    subCode: body.sub_code,
    ...(body.times !== undefined && { times: body.times }),
    ...(body.phase !== undefined && { phase: body.phase }),
  };
}

function faultView(fault: Fault): Record<string, unknown> {
  return { id: fault.id, method: fault.method, sub_code: fault.subCode, phase: fault.phase, remaining: fault.remaining };
}

export async function adminFaultRoutes(app: FastifyInstance, options: { services: Services; methods: readonly OpenApiMethod[] }): Promise<void> {
  const { services } = options;

  app.post('/faults', async (request, reply) => {
    const fault = await services.faults.arm(checkedFaultRequest(options.methods, parse(faultBody, request.body)));
    return reply.code(201).send(faultView(fault));
  });

  app.get('/faults', async () => ({ faults: (await armedFaults(services)).map(faultView) }));

  app.delete('/faults', async (_request, reply) => {
    await clearFaults(services);
    return reply.code(204).send();
  });
}

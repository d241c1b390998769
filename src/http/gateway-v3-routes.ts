/**
 * `/v3/...`: OpenAPI v3 on the same server as `/gateway.do` (alipay-sdk's `endpoint`). Bodies are read as raw
 * bytes, whatever their content type: the signature covers them exactly as sent, and an encrypted body is
 * `text/plain` base64. Every answer is the v3 gateway's, with its status, headers and signed body.
 */
import { originOf } from './origin.js';
import type { FastifyInstance } from 'fastify';
import type { OpenApiV3Gateway } from '../methods/openapi-v3-gateway.js';
import type { Metrics } from './metrics.js';

export interface GatewayV3RoutesOptions {
  v3: OpenApiV3Gateway;
  metrics: Metrics;
  /** The largest request body accepted, in bytes. (Default: 4 MiB) */
  bodyLimit?: number;
}

export async function gatewayV3Routes(app: FastifyInstance, options: GatewayV3RoutesOptions): Promise<void> {
  const bodyLimit = options.bodyLimit ?? 4 * 1024 * 1024;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  // A body that cannot be read (too large, aborted) is the v3 gateway's bad input too.
  app.setErrorHandler(async (error, request, reply) => {
    request.log.warn({ err: error }, 'unreadable v3 request');
    const answer = await options.v3.unreadable({
      httpMethod: request.method,
      requestTarget: request.url,
      headers: request.headers,
      body: Buffer.alloc(0),
      origin: originOf(request),
    });
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/v3/*',
    handler: async (request, reply) => {
      const started = process.hrtime.bigint();
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await options.v3.handle({
        httpMethod: request.method,
        requestTarget: request.raw.url ?? request.url,
        headers: request.headers,
        body,
        origin: originOf(request),
      });
      options.metrics.gatewayRequests.inc({ method: answer.method, code: answer.code, sub_code: '' });
      options.metrics.gatewayLatency.observe({ method: answer.method }, Number(process.hrtime.bigint() - started) / 1e9);
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    },
  });
}

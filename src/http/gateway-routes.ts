/**
 * `/gateway.do`, GET or POST: parameters in the query string, in a form body, or split between the two
 * as alipay-sdk sends them. Bodies are read as raw bytes, because their percent-encoding is in the charset
 * the request names. Whatever arrives — a JSON body, a 10 MB form, broken percent-encoding — the answer
 * is Alipay's, in an HTTP 200.
 */
import { originOf } from './origin.js';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { ConnectionError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MapiGateway } from '../methods/mapi-gateway.js';
import type { MapiReply } from '../methods/mapi-service.js';
import type { GatewayReply, OpenApiGateway } from '../methods/openapi-gateway.js';
import { mapiErrorPage, openApiErrorPage } from './cashier-pages.js';
import { decodeForm, findAsciiField, parseCharset, splitForm, type RawPair } from '../protocol/charset.js';
import { gatewayError } from '../protocol/openapi/gateway-errors.js';
import { encodeUnsignedResponse, ERROR_NODE_NAME } from '../protocol/openapi/response-envelope.js';
import type { Metrics } from './metrics.js';

export interface GatewayRoutesOptions {
  openApi: OpenApiGateway;
  mapi: MapiGateway;
  metrics: Metrics;
  /** The largest request body accepted, in bytes. (Default: 4 MiB) */
  bodyLimit?: number;
}

const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;

function rawQuery(request: FastifyRequest): string {
  const url = request.raw.url ?? '';
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}

/** The request's parameters as byte pairs: the query's first, then a form body's. */
function requestPairs(request: FastifyRequest): RawPair[] {
  const pairs = splitForm(rawQuery(request));
  const contentType = request.headers['content-type'];
  if (Buffer.isBuffer(request.body) && request.body.length > 0 && (!contentType || FORM_TYPE.test(contentType))) {
    pairs.push(...splitForm(request.body));
  }
  return pairs;
}

export async function gatewayRoutes(app: FastifyInstance, options: GatewayRoutesOptions): Promise<void> {
  const bodyLimit = options.bodyLimit ?? 4 * 1024 * 1024;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  function send(reply: FastifyReply, result: GatewayReply, started: bigint): FastifyReply {
    options.metrics.gatewayRequests.inc({ method: result.method, code: result.code, sub_code: result.subCode ?? '' });
    options.metrics.gatewayLatency.observe({ method: result.method }, Number(process.hrtime.bigint() - started) / 1e9);
    if (result.page?.kind === 'redirect') return reply.redirect(result.page.location, 302);
    if (result.page?.kind === 'error') {
      return reply
        .code(200)
        .header('content-type', 'text/html; charset=utf-8')
        .send(openApiErrorPage(result.page.code, result.page.message, result.page.returnUrl));
    }
    return reply.code(200).header('content-type', result.contentType).send(result.body);
  }

  function sendMapi(reply: FastifyReply, service: string, result: MapiReply, referer: string | null, started: bigint): FastifyReply {
    const code = result.kind === 'error_page' ? result.error.code : result.kind === 'redirect' ? 'REDIRECT' : result.body;
    // Only services that exist name a series: any string a caller sends would make series without bound.
    const label = options.mapi.serves(service) ? service : '(invalid)';
    options.metrics.gatewayRequests.inc({ method: label, code, sub_code: '' });
    options.metrics.gatewayLatency.observe({ method: label }, Number(process.hrtime.bigint() - started) / 1e9);
    switch (result.kind) {
      case 'redirect':
        return reply.redirect(result.location, 302);
      case 'text':
        return reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(result.body);
      case 'error_page':
        return reply.code(200).header('content-type', 'text/html; charset=utf-8').send(mapiErrorPage(result.error, referer));
    }
  }

  // Unreadable requests (too large, aborted) still get an Alipay reply, named after the query's method and
  // signed for the app the query names.
  app.setErrorHandler(async (error, request, reply) => {
    const started = process.hrtime.bigint();
    request.log.warn({ err: error }, 'unreadable gateway request');
    const pairs = splitForm(rawQuery(request));
    const named = findAsciiField(pairs, 'charset');
    const charset = named === undefined ? 'utf-8' : parseCharset(named);
    const query = { params: decodeForm(pairs, charset ?? 'utf-8'), charset, origin: originOf(request) };
    return send(reply, await options.openApi.unreadable(query), started);
  });

  // The legacy verify address Alipay's official MAPI demos call by default (notes §13.3): notify_verify by
  // another name, `partner` and `notify_id` only, unsigned.
  app.route({
    method: ['GET', 'POST'],
    url: '/trade/notify_query.do',
    handler: async (request, reply) => {
      const started = process.hrtime.bigint();
      const params = decodeForm(requestPairs(request), 'utf-8');
      params.set('service', 'notify_verify');
      const referer = typeof request.headers.referer === 'string' ? request.headers.referer : null;
      return sendMapi(reply, 'notify_verify', await options.mapi.handle({ params, charset: 'utf-8', referer }), referer, started);
    },
  });

  // A HEAD asks whether the gateway is there; it runs no method and reads no parameters, so it has no effect.
  app.head('/gateway.do', async (_request, reply) => reply.code(200).header('content-type', 'application/json;charset=utf-8').send());

  app.route({
    method: ['GET', 'POST'],
    url: '/gateway.do',
    handler: async (request, reply) => {
      const started = process.hrtime.bigint();
      const pairs = requestPairs(request);
      // `service=` without `method=` is the legacy MAPI gateway, whose charset is `_input_charset` (GBK by default).
      if (findAsciiField(pairs, 'service') !== undefined && findAsciiField(pairs, 'method') === undefined) {
        const named = findAsciiField(pairs, '_input_charset');
        const charset = named === undefined ? 'gbk' : parseCharset(named);
        const params = decodeForm(pairs, charset ?? 'gbk');
        const referer = typeof request.headers.referer === 'string' ? request.headers.referer : null;
        const result = await options.mapi.handle({ params, charset, referer });
        return sendMapi(reply, params.get('service') ?? '', result, referer, started);
      }
      const named = findAsciiField(pairs, 'charset');
      const charset = named === undefined ? 'utf-8' : parseCharset(named);
      const params = decodeForm(pairs, charset ?? 'utf-8');
      return send(reply, await options.openApi.handle({ params, charset, origin: originOf(request) }), started);
    },
  });
}

/**
 * Answers the errors node's HTTP parser raises before a request reaches any route. A URL with its headers
 * over the server's limit (`maxHeaderSize`) is given up on part-way — its path and parameters never reach
 * JavaScript, only the last chunk read — and the gateway is the one surface that takes URLs that long
 * (signed GET queries, MAPI batches), so it gets the gateway's answer: 40002 isv.invalid-parameter in
 * `error_response`, HTTP 200, unsigned (the app_id is lost with the rest). Other client errors are
 * answered as Fastify answers them.
 */
export function gatewayClientErrorHandler(metrics: Metrics): (error: ConnectionError, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection has nobody to answer; the parser may report the same request again once answered.
    if (error.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      const failure = gatewayError('isv.invalid-parameter');
      const body = encodeUnsignedResponse(ERROR_NODE_NAME, failure.toFields(), 'utf-8');
      metrics.gatewayRequests.inc({ method: '(unreadable)', code: failure.code, sub_code: failure.subCode });
      const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
      // The parser has given up on this connection: send the reply whole, then close it, as node does.
      socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]), () => socket.destroy());
      return;
    }
    const [status, message] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Client Timeout'] : [400, 'Client Error'];
    const body = JSON.stringify({ error: STATUS_CODES[status], message, statusCode: status });
    // The parser cannot go on with this connection: say so, so that a keep-alive client opens a new one.
    const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${body.length}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`;
    if (socket.writable) socket.end(`${head}${body}`, () => socket.destroy());
    else socket.destroy(error);
  };
}

/**
 * The reference server of the benchmark: what any Alipay-compatible gateway must do for a request and
 * nothing more — parse the form, verify the RSA2 signature, sign an RSA2 reply — with no database.
 * Keys are parsed once. Runs as a cluster of N processes sharing one port, like `tuikuan serve`.
 *
 * Environment: REF_PORT, REF_PROCESSES, REF_APP_PUBLIC_KEY (PEM), REF_PLATFORM_PRIVATE_KEY (PEM),
 * REF_SIGN (`pool` to sign on libuv's thread pool).
 */
import cluster from 'node:cluster';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import Fastify from 'fastify';
import { decodeForm, encodeText, splitForm } from '../src/protocol/charset.js';
import { encodeResponse, responseNodeName } from '../src/protocol/openapi/response-envelope.js';
import { requestSignContent } from '../src/protocol/sign-content.js';
import { rsaSign, rsaSignOffThread, rsaVerify } from '../src/protocol/signing.js';

const port = Number(process.env.REF_PORT ?? 9190);
const processes = Number(process.env.REF_PROCESSES ?? 1);

if (cluster.isPrimary && processes > 1) {
  for (let i = 0; i < processes; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const appKey = createPublicKey(process.env.REF_APP_PUBLIC_KEY ?? '');
  const platformKey = createPrivateKey(process.env.REF_PLATFORM_PRIVATE_KEY ?? '');
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/gateway.do', async (request, reply) => {
    const url = request.raw.url ?? '';
    const pairs = splitForm(url.slice(url.indexOf('?') + 1));
    if (Buffer.isBuffer(request.body)) pairs.push(...splitForm(request.body));
    const params = decodeForm(pairs, 'utf-8');
    const method = params.get('method') ?? 'unknown';
    const valid = rsaVerify(encodeText(requestSignContent(params, true), 'utf-8'), params.get('sign') ?? '', appKey, 'RSA2');
    const biz = JSON.parse(params.get('biz_content') ?? '{}') as Record<string, unknown>;
    const node = valid
      ? { code: '10000', msg: 'Success', trade_no: biz.trade_no, out_trade_no: 'REF', fund_change: 'Y', refund_fee: '0.01' }
      : { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: '验签出错' };
    // REF_SIGN=pool signs on libuv's thread pool as tuikuan does; by default the reference signs on its event loop.
    const signer = process.env.REF_SIGN === 'pool' ? (content: Buffer) => rsaSignOffThread(content, platformKey, 'RSA2') : (content: Buffer) => rsaSign(content, platformKey, 'RSA2');
    const body = await encodeResponse(responseNodeName(method), node, 'utf-8', signer);
    return reply.header('content-type', 'application/json;charset=utf-8').send(body);
  });
  app.listen({ port, host: '127.0.0.1' }).then(() => process.send?.('ready'));
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

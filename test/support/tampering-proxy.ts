/**
 * A man in the middle for tests: passes requests on to tuikuan and changes the replies on their way back, so a
 * test can show that the official SDK rejects a reply altered in transit. Headers are passed as they are.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A proxy that passes requests to the gateway and changes the replies on their way back. */
export async function tamperingProxy(
  target: string,
  change: (body: string) => string,
): Promise<{ url: string; origin: string; close(): Promise<void>; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((request, response) => {
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers },
      (reply) => {
        const chunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => chunks.push(chunk));
        reply.on('end', () => {
          const body = Buffer.from(change(Buffer.concat(chunks).toString('utf8')));
          const { 'transfer-encoding': _chunked, connection: _connection, ...headers } = reply.headers;
          response.writeHead(reply.statusCode ?? 200, { ...headers, 'content-length': body.length });
          response.end(body);
        });
      },
    );
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

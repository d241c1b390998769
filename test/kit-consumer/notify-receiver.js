// The merchant's notify_url: records each notification's fields and answers `success`, as Alipay asks.
import { createServer } from 'node:http';

export async function startNotifyReceiver() {
  const received = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(Object.fromEntries(new URLSearchParams(body)));
      response.end('success');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/alipay/notify`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

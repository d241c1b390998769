/** A website of the test's own on 127.0.0.1 (a merchant's shop, its notify_url, its return page), for browser suites. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export abstract class LocalSite {
  readonly server: Server;
  /** The site's base URL, once started. */
  url = '';

  constructor() {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  protected abstract handle(request: IncomingMessage, response: ServerResponse): void;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // The browser and tuikuan's notifier keep connections alive; the test is over, so end them.
    this.server.closeAllConnections();
    return closed;
  }
}

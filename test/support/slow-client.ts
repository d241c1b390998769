/**
 * Clients too slow or too idle for the server's HTTP timeouts, over raw sockets: one that trickles a body in,
 * one that never finishes its headers, one that keeps its connection open after a request. Each resolves with
 * what the server answered and how long it let the connection live.
 */
import { connect, type Socket } from 'node:net';

export interface Cutoff {
  /** From the first byte sent (or, for an idle connection, from the answer) to the server closing the connection. */
  closedAfterMs: number;
  /** Everything the server sent, as latin1. */
  answer: string;
}

/** Opens a socket to `url`'s host and port, calls `start` once connected, and resolves when the server closes it. */
function watch(url: string, start: (socket: Socket, host: string) => void, onData?: (socket: Socket, answer: string) => void): Promise<Cutoff & { startedAt: number; markedAt: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const startedAt = Date.now();
    let markedAt = startedAt;
    let answer = '';
    const socket = connect(Number(port), hostname, () => start(socket, hostname));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (onData) {
        markedAt = Date.now();
        onData(socket, answer);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ closedAfterMs: Date.now() - startedAt, answer, startedAt, markedAt }));
  });
}

/** Sends a request's head, then one body byte every `everyMs`. */
export async function trickle(url: string, everyMs: number): Promise<Cutoff & { bytesSent: number }> {
  let bytesSent = 0;
  let drip: NodeJS.Timeout | undefined;
  const result = await watch(url, (socket, host) => {
    socket.write(`POST /gateway.do HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100000\r\n\r\n`);
    drip = setInterval(() => {
      if (!socket.writable) return;
      socket.write('a');
      bytesSent++;
    }, everyMs);
  });
  clearInterval(drip);
  return { closedAfterMs: result.closedAfterMs, answer: result.answer, bytesSent };
}

/** Sends a request line and one header, and then nothing: the headers never end. */
export async function unfinishedHeaders(url: string): Promise<Cutoff> {
  const { closedAfterMs, answer } = await watch(url, (socket, host) => socket.write(`GET /healthz HTTP/1.1\r\nhost: ${host}\r\n`));
  return { closedAfterMs, answer };
}

/** Makes one keep-alive request and then leaves the connection idle; `closedAfterMs` counts from the answer. */
export async function idleAfterRequest(url: string): Promise<Cutoff> {
  const result = await watch(
    url,
    (socket, host) => socket.write(`GET /healthz HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n\r\n`),
    () => {},
  );
  return { closedAfterMs: Date.now() - result.markedAt, answer: result.answer };
}

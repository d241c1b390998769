/**
 * The merchants' notify_url for the chaos run: a node:http server that checks each trade_status_sync's
 * signature (with the official SDK's checkNotifySign), remembers which notify_id it saw for which event, and
 * answers as an unreliable merchant would — mostly `success`, sometimes `fail`, an HTTP 500, or only after a
 * while (some longer than a job's lease, so another worker takes the delivery over). At the end it is made
 * reliable, so that every notification can finish.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Random } from './chaos-random.js';
import { fenOf, type Fen, type Violations } from './chaos-record.js';

/** A notification as the merchant's notify_url received it. */
export interface ReceivedNotification {
  notifyId: string;
  tradeNo: string;
  /** The refund's out_biz_no; null for the payment's notification. */
  outBizNo: string | null;
  sellerId: string;
  outTradeNo: string;
  totalAmount: Fen | null;
  tradeStatus: string;
}

export type ReceiverMood = 'flaky' | 'reliable';

interface Answer {
  delayMs: number;
  status: number;
  body: string;
}

export class FlakyReceiver {
  readonly #server: Server;
  readonly #random: Random;
  readonly #violations: Violations;
  readonly #verify: (fields: Record<string, string>) => boolean;
  /** Event (trade and refund) → the notify_id the merchant was given for it. */
  readonly #notifyIdOfEvent = new Map<string, string>();
  readonly #received = new Map<string, ReceivedNotification>();
  #mood: ReceiverMood = 'flaky';
  /** How many callers want prompt answers just now (see promptWhile). */
  #prompt = 0;
  url = '';
  deliveries = 0;
  answeredSuccess = 0;

  constructor(random: Random, violations: Violations, verify: (fields: Record<string, string>) => boolean) {
    this.#random = random;
    this.#violations = violations;
    this.#verify = verify;
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = this.#take(Buffer.concat(chunks).toString('utf8'));
        setTimeout(() => {
          response.writeHead(answer.status, { 'content-type': 'text/plain' });
          response.end(answer.body);
        }, answer.delayMs);
      });
      // tuikuan may give up waiting (its timeout) or die meanwhile: the socket closes under us.
      response.on('error', () => {});
    });
  }

  async start(): Promise<void> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/alipay/notify`;
  }

  set mood(mood: ReceiverMood) {
    this.#mood = mood;
  }

  /**
   * Answers at once (still failing now and then) until `work` settles: a clock advance waits for every
   * delivery due on its way, and slow answers would keep it waiting.
   */
  async promptWhile(work: Promise<unknown>): Promise<void> {
    this.#prompt++;
    try {
      await work;
    } catch {
      // the advance's own outcome is judged by its caller
    } finally {
      this.#prompt--;
    }
  }

  /** What was received so far, taken before a store snapshot. */
  snapshot(): ReceivedNotification[] {
    return [...this.#received.values()];
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Records one delivery attempt and decides how to answer it. */
  #take(raw: string): Answer {
    this.deliveries++;
    const fields = Object.fromEntries(new URLSearchParams(raw));
    const notifyId = fields.notify_id ?? '';
    const tradeNo = fields.trade_no ?? '';
    const outBizNo = fields.out_biz_no ?? null;
    if (!this.#verify(fields)) this.#violations.record('notifications signed', `notify_id ${notifyId} (trade ${tradeNo}): the signature does not verify`);
    const event = `${tradeNo}|${outBizNo ?? '(payment)'}`;
    const earlier = this.#notifyIdOfEvent.get(event);
    if (earlier === undefined) this.#notifyIdOfEvent.set(event, notifyId);
    else if (earlier !== notifyId) {
      this.#violations.record('merchant saw one notify_id per event', `event ${event}: notify_id ${earlier}, then ${notifyId}`);
    }
    this.#received.set(notifyId, {
      notifyId,
      tradeNo,
      outBizNo,
      sellerId: fields.seller_id ?? '',
      outTradeNo: fields.out_trade_no ?? '',
      totalAmount: fenOf(fields.total_amount),
      tradeStatus: fields.trade_status ?? '',
    });
    const answer = this.#answer();
    if (answer.status === 200 && answer.body === 'success') this.answeredSuccess++;
    return answer;
  }

  #answer(): Answer {
    const success: Answer = { delayMs: 0, status: 200, body: 'success' };
    if (this.#mood === 'reliable') return success;
    const kind = this.#random.weighted({ success: 68, fail: 12, error500: 5, slowSuccess: 10, slowFail: 5 });
    // Slow answers run from a moment to past the job lease (1.5 s), never near tuikuan's 10 s timeout.
    const slow = () => (this.#prompt > 0 ? 0 : Math.round(this.#random.between(200, 2500)));
    switch (kind) {
      case 'success':
        return success;
      case 'fail':
        return { delayMs: 0, status: 200, body: 'fail' };
      case 'error500':
        return { delayMs: 0, status: 500, body: 'internal error' };
      case 'slowSuccess':
        return { ...success, delayMs: slow() };
      case 'slowFail':
        return { delayMs: slow(), status: 200, body: 'fail' };
    }
  }
}

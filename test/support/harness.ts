/**
 * Starts a real tuikuan server for a test — over HTTP on a free port, in a fresh data dir — and gives
 * the test an admin client and ready-made merchants with official alipay-sdk clients. A suite says
 * `const { harness, kit } = useHarness(engine, {...})` once, and has its server, merchant and hooks.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { pino, type Logger } from 'pino';
import { startTuikuan, type Tuikuan, type TuikuanOptions } from '../../src/tuikuan.js';
import { createPgDatabase, type TestEngine } from './engines.js';
import { startNotifyReceiver, type NotifyReceiver, type ReceiverScript } from './notify-receiver.js';

export interface AdminResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface Harness {
  tuikuan: Tuikuan;
  admin<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<AdminResponse<T>>;
  /** An admin call that must succeed (2xx); returns its body. */
  adminOk<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** Asserts an admin API refusal: this HTTP status, and this stable code (and a message) in its JSON error body. */
export function assertAdminError(response: AdminResponse, status: number, code: string, what = ''): void {
  const body = response.body as { error?: { code?: unknown; message?: unknown } };
  assert.equal(response.status, status, `${what} ${JSON.stringify(body)}`.trim());
  assert.equal(body.error?.code, code, what);
  assert.equal(typeof body.error?.message, 'string', what);
}

export interface HarnessOptions {
  clock?: 'real' | 'virtual';
  /** (Default: sqlite) */
  engine?: TestEngine;
  /** More of tuikuan's options: a notify policy, a resolver, HTTP limits… (Default: none) */
  tuikuan?: Omit<TuikuanOptions, 'dataDir' | 'db' | 'port' | 'clock' | 'adminToken' | 'logger'>;
  /** The server's logger. (Default: silent, or TUIKUAN_TEST_LOG's level) */
  logger?: Logger;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tuikuan-test-'));
  const database = options.engine === 'postgres' ? await createPgDatabase() : null;
  const tuikuan = await startTuikuan({
    dataDir,
    ...(database && { db: database.location }),
    port: 0,
    clock: options.clock ?? 'real',
    adminToken: 'test-admin-token',
    logger: options.logger ?? pino({ level: process.env.TUIKUAN_TEST_LOG ?? 'silent' }),
    ...options.tuikuan,
  });
  async function admin<T>(method: string, path: string, body?: unknown): Promise<AdminResponse<T>> {
    const response = await fetch(`${tuikuan.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${tuikuan.adminToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  }
  return {
    tuikuan,
    admin,
    async adminOk<T>(method: string, path: string, body?: unknown) {
      const response = await admin<T>(method, path, body);
      if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async close() {
      await tuikuan.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface MerchantKit {
  pid: string;
  md5Key: string;
  email: string;
  loginPassword: string;
  paymentPassword: string;
  appId: string;
  appPrivateKey: string;
  /** The official client, pointed at the test server, verifying our signatures. */
  sdk: AlipaySdk;
}

export interface MerchantOptions {
  /** The opening balance. (Default: 10000.00) */
  balance?: string;
  /** (Default: one tuikuan makes up) */
  email?: string;
  /** PATCH /admin/v1/merchants/:pid settings, applied before any trade is made. (Default: none) */
  settings?: Record<string, unknown>;
}

let sharedKeys: { privateKey: string; publicKey: string } | null = null;

/** One app key pair for every app a test process registers: generating RSA keys is the slow part of a merchant. */
function appKeys(): { privateKey: string; publicKey: string } {
  sharedKeys ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return sharedKeys;
}

/**
 * A fresh merchant with the given balance and settings, and an app (registered with the test process's key
 * pair) with an official alipay-sdk client pointed at the test server.
 */
export async function newMerchant(harness: Harness, options: MerchantOptions = {}): Promise<MerchantKit> {
  const merchant = await harness.adminOk('POST', '/merchants', { balance: options.balance ?? '10000.00', ...(options.email && { email: options.email }) });
  if (options.settings) await harness.adminOk('PATCH', `/merchants/${merchant.pid}`, options.settings);
  const keys = appKeys();
  const app = await harness.adminOk('POST', '/apps', { pid: merchant.pid, app_public_key: keys.publicKey });
  return {
    pid: merchant.pid,
    md5Key: merchant.md5_key,
    email: merchant.email,
    loginPassword: merchant.login_password,
    paymentPassword: merchant.payment_password,
    appId: app.app_id,
    appPrivateKey: keys.privateKey,
    sdk: new AlipaySdk({
      appId: app.app_id,
      privateKey: keys.privateKey,
      alipayPublicKey: harness.tuikuan.platformPublicKey,
      gateway: harness.tuikuan.gateway,
      camelcase: false,
    }),
  };
}

/** A trade created through the admin API (paid, 100.00, by default). */
export function newTrade(harness: Harness, kit: MerchantKit, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return harness.adminOk('POST', '/trades', { app_id: kit.appId, total_amount: '100.00', ...body });
}

export interface SuiteOptions<H extends Harness = Harness> extends Omit<HarnessOptions, 'engine'> {
  /** The suite's merchant (`kit`), made once the server has started; `false` for none. (Default: one with 10000.00) */
  merchant?: MerchantOptions | false;
  /** The suite's own notify_url (`receiver`), answering as this script says. (Default: none) */
  receiver?: ReceiverScript;
  /** How the server is started: startHarness, or a variant of it that adds to the harness. (Default: startHarness) */
  start?: (options: HarnessOptions) => Promise<H>;
}

/** What a suite is given; each member stands for what the suite's `before` hook made, and may be used from then on. */
export interface SuiteHarness<H extends Harness = Harness> {
  harness: H;
  kit: MerchantKit;
  receiver: NotifyReceiver;
}

/**
 * For a suite: a server started before its tests and closed (data dir, database and all) after them, with a
 * merchant and a notify receiver if asked. Registers the hooks, so call it inside the suite's `describe`;
 * the members may be destructured at once, and used inside hooks and tests.
 */
export function useHarness<H extends Harness = Harness>(engine: TestEngine, options: SuiteOptions<H> = {}): SuiteHarness<H> {
  const { merchant = {}, receiver: script, start, ...harnessOptions } = options;
  const made: { harness?: H; kit?: MerchantKit; receiver?: NotifyReceiver } = {};
  before(async () => {
    const starting = { ...harnessOptions, engine };
    made.harness = start ? await start(starting) : ((await startHarness(starting)) as H);
    if (merchant) made.kit = await newMerchant(made.harness, merchant);
    if (script !== undefined) made.receiver = await startNotifyReceiver(script);
  });
  after(async () => {
    await made.receiver?.close();
    await made.harness?.close();
  });
  return {
    harness: filledLater('the harness', () => made.harness),
    kit: filledLater(merchant ? 'the suite’s merchant' : 'the suite’s merchant (it asked for none: merchant: false)', () => made.kit),
    receiver: filledLater(script === undefined ? 'the suite’s receiver (it asked for none: receiver: <script>)' : 'the suite’s receiver', () => made.receiver),
  };
}

/**
 * Stands for an object that exists only once a hook has run: every property read is passed to it (methods
 * bound to it), so a suite can destructure `useHarness`'s members when it is declared and use them later.
 */
function filledLater<T extends object>(what: string, get: () => T | undefined): T {
  const target = (): T => {
    const value = get();
    if (value === undefined) throw new Error(`${what} exists once the suite's before hook has run: use it inside hooks and tests`);
    return value;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const object = target();
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

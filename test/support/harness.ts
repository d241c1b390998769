/**
 * Starts a real tuikuan server for a test — over HTTP on a free port, in a fresh data dir — and gives
 * the test an admin client and ready-made merchants with official alipay-sdk clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlipaySdk } from 'alipay-sdk';
import { pino, type Logger } from 'pino';
import { startTuikuan, type Tuikuan, type TuikuanOptions } from '../../src/tuikuan.js';
import { createPgDatabase, type TestEngine } from './engines.js';

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

/** A merchant with a balance and an app whose key pair tuikuan generated. */
export async function createMerchantKit(harness: Harness, options: { balance?: string; email?: string } = {}): Promise<MerchantKit> {
  const merchant = await harness.adminOk('POST', '/merchants', { balance: options.balance ?? '10000.00', ...(options.email && { email: options.email }) });
  const app = await harness.adminOk('POST', '/apps', { pid: merchant.pid });
  return {
    pid: merchant.pid,
    md5Key: merchant.md5_key,
    email: merchant.email,
    loginPassword: merchant.login_password,
    paymentPassword: merchant.payment_password,
    appId: app.app_id,
    appPrivateKey: app.app_private_key,
    sdk: new AlipaySdk({
      appId: app.app_id,
      privateKey: app.app_private_key,
      alipayPublicKey: harness.tuikuan.platformPublicKey,
      gateway: harness.tuikuan.gateway,
      camelcase: false,
    }),
  };
}

/** A paid trade created through the admin API. */
export async function createTrade(harness: Harness, kit: MerchantKit, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return harness.adminOk('POST', '/trades', { app_id: kit.appId, total_amount: '100.00', ...body });
}

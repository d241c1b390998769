/**
 * `serve --demo`: the demo world (demo-world.ts, fixed credentials for tests only) is applied at start like any
 * declared world; this writes its credentials to `<data-dir>/demo.json` for the merchant's SDK, and prints a
 * copy-paste snippet that uses them over v1, v3 and certificate mode.
 */
import { createPrivateKey } from 'node:crypto';
import { join, resolve } from 'node:path';
import { buyerByUserId } from '../core/buyers.js';
import { buyerFundsView } from '../http/admin-buyer-views.js';
import { formatYuan } from '../protocol/yuan.js';
import { declaredWorld, type DeclaredWorld } from '../seed-file.js';
import { writePrivateFile } from '../private-files.js';
import { findApp } from '../store/sql/apps.js';
import { findMerchant } from '../store/sql/merchants.js';
import { findTradeByNo } from '../store/sql/trades.js';
import type { Tuikuan } from '../tuikuan.js';
import { DEMO_AES_KEY, DEMO_APP_ID, DEMO_BUYER, DEMO_CERT_APP_ID, DEMO_KEYS, DEMO_MERCHANT, DEMO_SEED } from './demo-world.js';

export interface DemoCredentials {
  /** For tests only: every key here is published with tuikuan. */
  notice: string;
  gateway: string;
  /** The v3 base URL (alipay-sdk's `endpoint`). */
  endpoint: string;
  admin_url: string;
  admin_token: string;
  platform_public_key: string;
  merchant: { pid: string; email: string; md5_key: string; login_password: string; payment_password: string; balance: string };
  app: { app_id: string; sign_type: 'RSA2'; app_private_key: string; app_private_key_pkcs8: string; app_public_key: string; aes_key: string };
  cert_app: {
    app_id: string;
    app_private_key: string;
    app_private_key_pkcs8: string;
    app_cert: string;
    alipay_public_cert: string;
    alipay_root_cert: string;
    app_cert_sn: string;
    alipay_cert_sn: string;
    alipay_root_cert_sn: string;
  };
  /** The buyer who pays on the cashier pages, and its funds as the server has them (GET /admin/v1/buyers/:id's `funds`). */
  buyer: { buyer_user_id: string; logon_id: string; login_password: string; payment_password: string; funds: Record<string, unknown> };
  trades: Array<{ trade_no: string; out_trade_no: string; app_id: string; total_amount: string; notify_url: string | null }>;
}

/** The demo world, as a declared world to apply at start. */
export function demoWorld(): DeclaredWorld {
  return declaredWorld(DEMO_SEED);
}

const pkcs8 = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();

/** The demo's credentials as this server has them (the world is applied already). */
async function demoCredentials(tuikuan: Tuikuan): Promise<DemoCredentials> {
  const { db } = tuikuan.services.store;
  const merchant = await findMerchant(db, DEMO_MERCHANT.pid);
  const app = await findApp(db, DEMO_APP_ID);
  const certApp = await findApp(db, DEMO_CERT_APP_ID);
  const buyer = await buyerByUserId(tuikuan.services, DEMO_BUYER.buyerUserId);
  if (!merchant || !app || !certApp || !buyer) throw new Error('the demo world is applied at start (serve --demo)');
  const { certificates } = tuikuan.platform;
  const trades = [];
  for (const declared of DEMO_SEED.trades ?? []) {
    const trade = declared.trade_no ? await findTradeByNo(db, declared.trade_no) : undefined;
    if (trade)
      trades.push({
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
        app_id: trade.appId,
        total_amount: formatYuan(trade.totalAmount),
        notify_url: trade.notifyUrl,
      });
  }
  return {
    notice: 'tuikuan demo credentials: FOR TESTS ONLY — these keys are public',
    gateway: tuikuan.gateway,
    endpoint: tuikuan.url,
    admin_url: tuikuan.adminUrl,
    admin_token: tuikuan.adminToken,
    platform_public_key: tuikuan.platformPublicKey,
    merchant: {
      pid: merchant.pid,
      email: merchant.email,
      md5_key: merchant.md5Key,
      login_password: DEMO_MERCHANT.loginPassword,
      payment_password: DEMO_MERCHANT.paymentPassword,
      balance: formatYuan(merchant.balance),
    },
    app: {
      app_id: app.appId,
      sign_type: 'RSA2',
      app_private_key: DEMO_KEYS.appPrivateKey,
      app_private_key_pkcs8: pkcs8(DEMO_KEYS.appPrivateKey),
      app_public_key: app.appPublicKey ?? '',
      aes_key: app.aesKey ?? DEMO_AES_KEY,
    },
    cert_app: {
      app_id: certApp.appId,
      app_private_key: DEMO_KEYS.certAppPrivateKey,
      app_private_key_pkcs8: pkcs8(DEMO_KEYS.certAppPrivateKey),
      app_cert: certApp.appCertPem ?? '',
      alipay_public_cert: certificates.platformCertPem,
      alipay_root_cert: certificates.rootCertPem,
      app_cert_sn: certApp.appCertSn ?? '',
      alipay_cert_sn: certificates.platformCertSn,
      alipay_root_cert_sn: certificates.rootCertSn,
    },
    buyer: {
      buyer_user_id: buyer.buyerUserId,
      logon_id: buyer.logonId,
      login_password: DEMO_BUYER.loginPassword,
      payment_password: DEMO_BUYER.paymentPassword,
      funds: buyerFundsView(buyer.funds, tuikuan.services.clock.now()),
    },
    trades,
  };
}

/** Writes demo.json for the demo world this server has; returns its path. */
export async function ensureDemo(tuikuan: Tuikuan): Promise<{ file: string; demo: DemoCredentials }> {
  const file = join(tuikuan.dataDir, 'demo.json');
  const demo = await demoCredentials(tuikuan);
  writePrivateFile(file, `${JSON.stringify(demo, null, 2)}\n`);
  return { file: resolve(file), demo };
}

/** A copy-paste alipay-sdk snippet against this server: a v1 refund, a v3 query, the certificate-mode app. */
export function demoSnippet(file: string, demo: DemoCredentials): string {
  const trade = demo.trades[0];
  const certTrade = demo.trades.find((t) => t.app_id === demo.cert_app.app_id);
  return `import { readFileSync } from 'node:fs';
import { AlipaySdk } from 'alipay-sdk';

// FOR TESTS ONLY: the demo's keys are the same everywhere.
const demo = JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));
const alipay = new AlipaySdk({
  appId: demo.app.app_id,                 // ${demo.app.app_id}
  privateKey: demo.app.app_private_key,
  alipayPublicKey: demo.platform_public_key,
  gateway: demo.gateway,                  // ${demo.gateway}  (v1: exec)
  endpoint: demo.endpoint,                // ${demo.endpoint}  (v3: curl)
  encryptKey: demo.app.aes_key,           // for { needEncrypt: true }
});
console.log(await alipay.exec('alipay.trade.refund', {
  bizContent: { trade_no: '${trade?.trade_no ?? ''}', refund_amount: '1.00', out_request_no: 'demo-refund-1' },
}, { validateSign: true }));
console.log((await alipay.curl('POST', '/v3/alipay/trade/query', { body: { trade_no: '${trade?.trade_no ?? ''}' } })).data);

// Certificate mode (公钥证书): the three files instead of alipayPublicKey.
const certMode = new AlipaySdk({
  appId: demo.cert_app.app_id,            // ${demo.cert_app.app_id}
  privateKey: demo.cert_app.app_private_key,
  appCertContent: demo.cert_app.app_cert,
  alipayPublicCertContent: demo.cert_app.alipay_public_cert,
  alipayRootCertContent: demo.cert_app.alipay_root_cert,
  gateway: demo.gateway,
  endpoint: demo.endpoint,
});
console.log(await certMode.exec('alipay.trade.query', { bizContent: { trade_no: '${certTrade?.trade_no ?? ''}' } }, { validateSign: true }));`;
}

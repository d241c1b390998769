/**
 * `serve --demo`: a demo merchant, an app with a generated key pair and a few paid trades, their
 * credentials in `<data-dir>/demo.json`. A restart on the same data dir keeps the same demo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writePrivateFile } from '../private-files.js';
import { createApp } from '../core/apps.js';
import { createMerchant } from '../core/merchants.js';
import { formatYuan } from '../core/money.js';
import { createTrade } from '../core/trades.js';
import { findApp } from '../store/sql/apps.js';
import { findMerchant } from '../store/sql/merchants.js';
import type { Tuikuan } from '../tuikuan.js';

export interface DemoCredentials {
  gateway: string;
  admin_url: string;
  admin_token: string;
  platform_public_key: string;
  merchant: { pid: string; email: string; md5_key: string; login_password: string; payment_password: string; balance: string };
  app: { app_id: string; sign_type: 'RSA2'; app_private_key: string; app_public_key: string };
  trades: Array<{ trade_no: string; out_trade_no: string; total_amount: string; notify_url: string | null }>;
}

async function existingDemo(tuikuan: Tuikuan, file: string): Promise<DemoCredentials | null> {
  if (!existsSync(file)) return null;
  try {
    const demo = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    const merchant = await findMerchant(tuikuan.services.store.db, demo.merchant.pid);
    const app = await findApp(tuikuan.services.store.db, demo.app.app_id);
    if (!merchant || !app) return null;
    return { ...demo, merchant: { ...demo.merchant, balance: formatYuan(merchant.balance) } };
  } catch {
    return null;
  }
}

async function createDemo(tuikuan: Tuikuan): Promise<DemoCredentials> {
  const services = tuikuan.services;
  const { merchant, loginPassword, paymentPassword } = await createMerchant(services, {
    name: '演示商户',
    balance: 10_000_00,
    loginPassword: 'demo-login',
    paymentPassword: '123456',
  });
  const { app, appPrivateKey } = await createApp(services, { pid: merchant.pid });
  const stamp = services.clock.now();
  const trades = [
    await createTrade(services, { app, sellerPid: merchant.pid, outTradeNo: `DEMO${stamp}1`, totalAmount: 100_00, subject: '演示订单：全部余额支付' }),
    await createTrade(services, {
      app,
      sellerPid: merchant.pid,
      outTradeNo: `DEMO${stamp}2`,
      totalAmount: 88_88,
      subject: '演示订单：余额与银行卡',
      fundBills: [
        { fundChannel: 'ALIPAYACCOUNT', amount: 50_00, realAmount: 50_00, fundType: null, bankCode: null },
        { fundChannel: 'BANKCARD', amount: 38_88, realAmount: 38_88, fundType: 'DEBIT_CARD', bankCode: 'CMB' },
      ],
    }),
    await createTrade(services, {
      app,
      sellerPid: merchant.pid,
      outTradeNo: `DEMO${stamp}3`,
      totalAmount: 200_00,
      subject: '演示订单：使用商户优惠券',
      vouchers: [{ id: '2026102600073002039000002D5O', name: '满200减20', type: 'ALIPAY_FIX_VOUCHER', amount: 20_00, merchantContribute: 20_00, otherContribute: 0 }],
    }),
  ];
  const after = await findMerchant(services.store.db, merchant.pid);
  return {
    gateway: tuikuan.gateway,
    admin_url: tuikuan.adminUrl,
    admin_token: tuikuan.adminToken,
    platform_public_key: tuikuan.platformPublicKey,
    merchant: {
      pid: merchant.pid,
      email: merchant.email,
      md5_key: merchant.md5Key,
      login_password: loginPassword,
      payment_password: paymentPassword,
      balance: formatYuan(after?.balance ?? merchant.balance),
    },
    app: { app_id: app.appId, sign_type: 'RSA2', app_private_key: appPrivateKey ?? '', app_public_key: app.appPublicKey ?? '' },
    trades: trades.map((trade) => ({
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      total_amount: formatYuan(trade.totalAmount),
      notify_url: trade.notifyUrl,
    })),
  };
}

/** Creates the demo (or finds the one already in this data dir) and writes demo.json; returns its path. */
export async function ensureDemo(tuikuan: Tuikuan): Promise<{ file: string; demo: DemoCredentials }> {
  const file = join(tuikuan.dataDir, 'demo.json');
  const found = await existingDemo(tuikuan, file);
  const demo: DemoCredentials = found
    ? { ...found, gateway: tuikuan.gateway, admin_url: tuikuan.adminUrl, admin_token: tuikuan.adminToken, platform_public_key: tuikuan.platformPublicKey }
    : await createDemo(tuikuan);
  writePrivateFile(file, `${JSON.stringify(demo, null, 2)}\n`);
  return { file: resolve(file), demo };
}

/** A copy-paste alipay-sdk snippet that refunds one demo trade against this server. */
export function demoSnippet(file: string, demo: DemoCredentials): string {
  const trade = demo.trades[0];
  return `import { readFileSync } from 'node:fs';
import { AlipaySdk } from 'alipay-sdk';

const demo = JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));
const alipay = new AlipaySdk({
  appId: demo.app.app_id,
  privateKey: demo.app.app_private_key,
  alipayPublicKey: demo.platform_public_key,
  gateway: demo.gateway, // ${demo.gateway}
});
const result = await alipay.exec('alipay.trade.refund', {
  bizContent: { trade_no: '${trade?.trade_no ?? ''}', refund_amount: '1.00', out_request_no: 'demo-refund-1' },
}, { validateSign: true });
console.log(result);`;
}

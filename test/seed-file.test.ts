/**
 * A declared world (`serve --seed <file>`): applied at every start, idempotently — what exists is kept, what is
 * missing is made, nothing twice — so that the same seed on a restart or on a fresh store gives the same app
 * ids, keys, platform key and certificates, and an SDK configured once keeps working. A contradiction fails the
 * start with a clear message. The runnable example (examples/seed.json and the key beside it) works as it is,
 * and `--demo` is a built-in world with the same credentials everywhere.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { pino } from 'pino';
import { demoWorld, ensureDemo } from '../src/cli/demo.js';
import { declaredWorld, readSeedFile, type SeedFile } from '../src/seed-file.js';
import { startTuikuan, type Tuikuan } from '../src/tuikuan.js';
import { describeEachEngine } from './support/engines.js';
import { stores } from './support/seed-stores.js';

const EXAMPLE = join(process.cwd(), 'examples', 'seed.json');
const EXAMPLE_KEY = readFileSync(join(process.cwd(), 'examples', 'app-private-key.pem'), 'utf8');

async function admin(tuikuan: Tuikuan, path: string): Promise<Record<string, any>> {
  const response = await fetch(`${tuikuan.adminUrl}${path}`, { headers: { authorization: 'Bearer t' } });
  return (await response.json()) as Record<string, any>;
}

/** The example's merchant as its own test suite would call tuikuan: configured once, from the seed. */
function exampleSdk(tuikuan: Tuikuan, seed: SeedFile): AlipaySdk {
  const platformPublicKey = tuikuan.platformPublicKey;
  return new AlipaySdk({
    appId: seed.apps![0]!.app_id,
    privateKey: EXAMPLE_KEY,
    alipayPublicKey: platformPublicKey,
    gateway: tuikuan.gateway,
    endpoint: tuikuan.url,
  });
}

describeEachEngine('a declared world', (engine) => {
  const store = stores(engine);
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as SeedFile;

  describe('applied at every start', () => {
    it('makes what is missing once, and keeps what exists: a restart duplicates nothing', async () => {
      const where = await store.fresh();
      const first = await store.start(where, [readSeedFile(EXAMPLE)]);
      const sdk = exampleSdk(first, example);
      const refunded = await sdk.exec(
        'alipay.trade.refund',
        { bizContent: { trade_no: '2026010122001000000000009001', refund_amount: '9.00', out_request_no: 'S1' } },
        { validateSign: true },
      );
      assert.equal(refunded.fundChange, 'Y', 'the example works as it is');
      const before = await admin(first, '/merchants/2088102000000001/ledger');
      const keys = { platform: first.platformPublicKey, certificates: first.platform.certificates };
      await first.close();

      const again = await store.start(where, [readSeedFile(EXAMPLE)]);
      try {
        assert.equal(again.platformPublicKey, keys.platform);
        assert.deepEqual(again.platform.certificates, keys.certificates);
        const ledger = await admin(again, '/merchants/2088102000000001/ledger');
        assert.deepEqual(ledger.entries, before.entries, 'no second opening balance, no second payment');
        assert.equal(ledger.balance, before.balance, 'the balance the refund left, not the declared one');
        const trade = await admin(again, '/trades/2026010122001000000000009001');
        assert.equal(trade.refunded_amount, '9.00', 'the trade kept, refund and all');
        const repeat = await exampleSdk(again, example).exec(
          'alipay.trade.refund',
          { bizContent: { trade_no: '2026010122001000000000009001', refund_amount: '9.00', out_request_no: 'S1' } },
          { validateSign: true },
        );
        assert.equal(repeat.fundChange, 'N', 'the same SDK, unchanged, after a restart');
      } finally {
        await again.close();
      }
    });

    it('gives a fresh store the same ids, keys, platform key and certificates, byte for byte', async () => {
      const [a, b] = [await store.start(await store.fresh(), [readSeedFile(EXAMPLE)]), await store.start(await store.fresh(), [readSeedFile(EXAMPLE)])];
      try {
        assert.equal(a.platformPublicKey, b.platformPublicKey);
        assert.deepEqual(a.platform.certificates, b.platform.certificates);
        const [certA, certB] = [await admin(a, '/apps/2021001000000002'), await admin(b, '/apps/2021001000000002')];
        assert.equal(certA.key_mode, 'cert');
        assert.equal(certA.app_cert, certB.app_cert);
        assert.equal(certA.app_cert_sn, certB.app_cert_sn);
        assert.equal(certA.aes_key, 'ZXhhbXBsZWFlc2tleTAwMQ==');
        // An SDK in certificate mode configured against the first store works against the second.
        const certSdk = new AlipaySdk({
          appId: '2021001000000002',
          privateKey: EXAMPLE_KEY,
          appCertContent: certA.app_cert,
          alipayPublicCertContent: certA.alipay_public_cert,
          alipayRootCertContent: certA.alipay_root_cert,
          gateway: b.gateway,
          endpoint: b.url,
        });
        const query = await certSdk.exec('alipay.trade.query', { bizContent: { trade_no: '2026010122001000000000009002' } }, { validateSign: true });
        assert.equal(query.tradeStatus, 'TRADE_SUCCESS');
        assert.equal((await admin(b, '/merchants/2088102000000001')).fee_rate, '0.006', 'settings applied when made');
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('a value that contradicts the store', () => {
    it('fails the start, saying what differs: another key for an existing app, another platform key, another email', async () => {
      const where = await store.fresh();
      await (await store.start(where, [readSeedFile(EXAMPLE)])).close();
      const otherKey = (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 });
      const changedApp = structuredClone(example);
      changedApp.apps![0]!.app_public_key = otherKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      delete changedApp.platform;
      await assert.rejects(store.start(where, [declaredWorld(changedApp)]), /app 2021001000000001: the declared app_public_key is not the one this store has/);
      const changedPlatform = structuredClone(example);
      changedPlatform.platform!.private_key = otherKey.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      await assert.rejects(store.start(where, [declaredWorld(changedPlatform)]), /the declared platform private key is not the one this store has/);
      const changedEmail = structuredClone(example);
      changedEmail.merchants![0]!.email = 'someone-else@example.com';
      await assert.rejects(store.start(where, [declaredWorld(changedEmail)]), /merchant 2088102000000001: the declared email/);
      const changedPassword = structuredClone(example);
      changedPassword.merchants![0]!.payment_password = '000000';
      await assert.rejects(store.start(where, [declaredWorld(changedPassword)]), /payment_password/);
    });
  });
});

describe('a seed file', () => {
  it('that is not what it should be is refused with the file and the field named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tuikuan-badseed-'));
    try {
      assert.throws(() => declaredWorld({ merchants: [{ pid: '123' }] }), /merchants\.0\.pid/);
      assert.throws(() => declaredWorld({ apps: [{ app_id: '2021001000000009', pid: '2088102000000001', colour: 'blue' }] }), /colour|Unrecognized/i);
      assert.throws(() => declaredWorld({ trades: [{ app_id: '2021001000000001', out_trade_no: 'x', total_amount: '-1' }] }), /total_amount/);
      assert.throws(() => readSeedFile(join(dir, 'missing.json')), /seed file .*missing\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// One engine: the demo is a declared world, and declared worlds are applied on both engines above; what is checked
// here is that its contents are fixed.
describe('--demo', () => {
  it('is the same world on every fresh data dir: the same app ids, keys, merchant, certificates and trades', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'tuikuan-demo-')), mkdtempSync(join(tmpdir(), 'tuikuan-demo-'))];
    try {
      const demos = [];
      for (const dataDir of dirs) {
        const tuikuan = await startTuikuan({ dataDir, port: 0, adminToken: 't', logger: pino({ level: 'silent' }), seeds: [demoWorld()] });
        try {
          demos.push((await ensureDemo(tuikuan)).demo);
        } finally {
          await tuikuan.close();
        }
      }
      const [a, b] = demos;
      const stable = ({ gateway: _g, endpoint: _e, admin_url: _a, admin_token: _t, ...rest }: NonNullable<typeof a>) => rest;
      assert.deepEqual(stable(a!), stable(b!));
      assert.equal(a!.app.app_id, '2021000100000001');
      assert.match(a!.notice, /FOR TESTS ONLY/);
      assert.match(a!.app.app_private_key_pkcs8, /^-----BEGIN PRIVATE KEY-----/, 'PKCS#8, as Java SDKs read it');
      assert.equal(a!.trades.length, 4);
      assert.ok(a!.cert_app.app_cert.startsWith('-----BEGIN CERTIFICATE-----'));
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The short commands of `tuikuan`: `migrate` brings a database (SQLite in the data dir, a file named by --db or
 * TUIKUAN_DB, or PostgreSQL) to the latest schema, names what it applied, then says it is up to date, and fails
 * with a message — exit 1, no stack trace — on a database it cannot open; `keys` prints a new RSA-2048 key pair
 * (PKCS#1 private, SPKI public) that a merchant can register and sign with at once.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, createSign, createVerify } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { sql } from 'kysely';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/store.js';
import { createPgDatabase, describeEachEngine, type TestDatabase } from '../support/engines.js';
import { useHarness } from '../support/harness.js';
import { runTuikuan, type CommandResult } from '../support/processes.js';

const ALL = Object.keys(migrations);

/** The migrations a database records as applied. */
async function appliedIn(location: string): Promise<string[]> {
  const store = openStore({ location });
  try {
    const { rows } = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(store.db);
    return rows.map((row) => row.name);
  } finally {
    await store.close();
  }
}

/** A refusal as a user should see it: exit code 1, a message, no stack trace. */
function assertRefused(result: CommandResult, message: RegExp): void {
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\bat .*\.js:\d+/, 'no stack trace');
}

describeEachEngine('tuikuan migrate', (engine) => {
  let root: string;
  const databases: TestDatabase[] = [];
  /** A fresh database for one test: a SQLite file in a fresh directory, or a fresh PostgreSQL database. */
  const freshDatabase = async (name: string): Promise<string> => {
    if (engine === 'sqlite') return join(root, name, 'tuikuan.db');
    const database = await createPgDatabase();
    databases.push(database);
    return database.location;
  };
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tuikuan-migrate-'));
  });
  after(async () => {
    for (const database of databases) await database.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('applies every migration to a fresh database and names them; run again, it says the schema is up to date', async () => {
    const location = await freshDatabase('given');
    const first = await runTuikuan(['migrate', '--db', location]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `applied: ${ALL.join(', ')}\n`);
    assert.deepEqual(await appliedIn(location), ALL);
    const again = await runTuikuan(['migrate', '--db', location]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'schema is up to date\n');
    assert.deepEqual(await appliedIn(location), ALL, 'nothing applied twice');
  });

  it('takes the database from TUIKUAN_DB when --db is not given', async () => {
    const location = await freshDatabase('from-env');
    const result = await runTuikuan(['migrate', '--data-dir', join(root, 'unused')], { TUIKUAN_DB: location });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `applied: ${ALL.join(', ')}\n`);
    assert.deepEqual(await appliedIn(location), ALL);
    assert.equal(existsSync(join(root, 'unused', 'tuikuan.db')), false, 'no database in the data dir');
  });

  it('refuses a database it cannot open with a message, exit code 1 and no stack trace', async () => {
    if (engine === 'sqlite') {
      const file = join(root, 'a-file');
      writeFileSync(file, 'not a directory');
      assertRefused(await runTuikuan(['migrate', '--db', join(file, 'tuikuan.db')]), /a-file/);
    } else {
      assertRefused(await runTuikuan(['migrate', '--db', 'postgres://postgres@127.0.0.1:1/nowhere']), /ECONNREFUSED/);
    }
  });
});

// One engine: without --db, migrate's database is SQLite in the data dir.
describe('tuikuan migrate without --db', () => {
  const root = mkdtempSync(join(tmpdir(), 'tuikuan-migrate-dir-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('migrates <data-dir>/tuikuan.db, from --data-dir or TUIKUAN_DATA_DIR', async () => {
    const byOption = await runTuikuan(['migrate', '--data-dir', join(root, 'option')]);
    assert.equal(byOption.code, 0, byOption.stderr);
    assert.deepEqual(await appliedIn(join(root, 'option', 'tuikuan.db')), ALL);
    const byEnv = await runTuikuan(['migrate'], { TUIKUAN_DATA_DIR: join(root, 'env') });
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.deepEqual(await appliedIn(join(root, 'env', 'tuikuan.db')), ALL);
  });
});

// One engine: `keys` touches no database; the engine only serves the check that a merchant can use the pair.
describe('tuikuan keys', () => {
  const { harness } = useHarness('sqlite', { merchant: false });

  /** The two PEM blocks `keys` prints, and nothing else. */
  async function printedPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
    const result = await runTuikuan(['keys']);
    assert.equal(result.code, 0, result.stderr);
    const match = /^(-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END RSA PRIVATE KEY-----\n)(-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n)\n?$/.exec(result.stdout);
    assert.ok(match, `a PKCS#1 private key, then an SPKI public key:\n${result.stdout}`);
    return { privateKeyPem: match[1]!, publicKeyPem: match[2]! };
  }

  it('prints a new RSA-2048 pair, PKCS#1 private key then SPKI public key, whose halves belong together', async () => {
    const { privateKeyPem, publicKeyPem } = await printedPair();
    const privateKey = createPrivateKey(privateKeyPem);
    assert.equal(privateKey.asymmetricKeyType, 'rsa');
    assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    const signature = createSign('RSA-SHA256').update('退款').sign(privateKey);
    assert.ok(createVerify('RSA-SHA256').update('退款').verify(createPublicKey(publicKeyPem), signature), 'the public key verifies the private key’s signature');
    assert.notEqual((await printedPair()).privateKeyPem, privateKeyPem, 'a new pair every time');
  });

  it('is a pair a merchant registers as its app key and calls the gateway with, through the official SDK', async () => {
    const { privateKeyPem, publicKeyPem } = await printedPair();
    const merchant = await harness.adminOk('POST', '/merchants', {});
    const app = await harness.adminOk('POST', '/apps', { pid: merchant.pid, app_public_key: publicKeyPem });
    const sdk = new AlipaySdk({ appId: app.app_id, privateKey: privateKeyPem, alipayPublicKey: harness.tuikuan.platformPublicKey, gateway: harness.tuikuan.gateway, camelcase: false });
    const reply = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'NO-SUCH-TRADE' } }, { validateSign: true });
    assert.equal(reply.code, '40004', 'past the signature check');
    assert.equal(reply.sub_code, 'ACQ.TRADE_NOT_EXIST');
  });
});

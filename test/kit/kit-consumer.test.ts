/**
 * The test kit as a merchant's suite uses it: `npm pack` makes the package a merchant installs, the suite in
 * test/kit-consumer/ (a package of its own, naming `tuikuan` as a dependency) gets it in node_modules, and runs —
 * ES modules and CommonJS — with node:test; its TypeScript files are type-checked against the packed `.d.ts`.
 * No registry is asked: the packed tuikuan's own dependencies, alipay-sdk and @types are linked from this
 * repository's node_modules.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = process.cwd();

describe('the test kit, installed in a merchant package', () => {
  const work = mkdtempSync(join(tmpdir(), 'tuikuan-consumer-'));
  const consumer = join(work, 'consumer');
  const packed: { files: string[] } = { files: [] };

  before(async () => {
    // --ignore-scripts: the tree is built already (npm test compiles first); prepare would build it again.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 });
    const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.ok(info);
    packed.files = info.files.map((file) => file.path);
    cpSync(join(ROOT, 'test', 'kit-consumer'), consumer, { recursive: true });
    const installed = join(consumer, 'node_modules', 'tuikuan');
    mkdirSync(installed, { recursive: true });
    await run('tar', ['-xzf', join(work, info.filename), '-C', installed, '--strip-components=1']);
    symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', 'alipay-sdk'), join(consumer, 'node_modules', 'alipay-sdk'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(consumer, 'node_modules', '@types'), 'dir');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('packs the kit: its ES module and CommonJS entries with their types, and the command', () => {
    for (const file of [
      'package.json',
      'bin/tuikuan.js',
      'dist/src/kit/index.js',
      'dist/src/kit/index.d.ts',
      'dist/src/kit/index.cjs',
      'dist/src/kit/index.d.cts',
    ]) {
      assert.ok(packed.files.includes(file), `${file} is in the package`);
    }
    assert.equal(
      packed.files.some((file) => file.startsWith('dist/test/')),
      false,
      'no tests in the package',
    );
  });

  it("runs the merchant's suite: refunds through the SDK, waitFor, snapshot, restore, reset, two kits, CommonJS", async () => {
    const tests = readdirSync(consumer).filter((name) => /\.test\.c?js$/.test(name));
    assert.deepEqual(tests.sort(), ['commonjs.test.cjs', 'refunds.test.js', 'two-kits.test.js']);
    // A run of its own, not a child reporting to this test runner (which NODE_TEST_CONTEXT would make it).
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const result = await run(process.execPath, ['--test', '--test-reporter=tap', ...tests], {
      cwd: consumer,
      env: { ...env, TUIKUAN_LOG_LEVEL: 'silent' },
      maxBuffer: 32 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      assert.fail(`the merchant's suite failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    assert.match(result.stdout, /^# pass 4$/m, result.stdout);
    assert.match(result.stdout, /^# fail 0$/m);
  });

  it('type-checks against the packed .d.ts, from an ES module and from CommonJS', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.json')], { cwd: consumer }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        assert.fail(`tsc found errors:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      },
    );
    assert.equal(result.stdout.trim(), '');
  });
});

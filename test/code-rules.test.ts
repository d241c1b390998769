/**
 * The code's own rules, run by `npm test`: the layering (.dependency-cruiser.cjs, DESIGN.md's picture) and the
 * linter (biome.json) hold on the tree, and each fails on a deliberate violation — so that a rule that silently
 * stopped matching would be noticed here, not in review.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(join(BIN, command), args, { cwd, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** A scratch project: the repository's rule files beside a `src/` of the given files. */
function scratchProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tuikuan-rules-'));
  scratch.push(dir);
  for (const name of ['.dependency-cruiser.cjs', 'biome.json', 'tsconfig.json']) cpSync(join(ROOT, name), join(dir, name));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
const scratch: string[] = [];
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const depcruise = (cwd: string) => run('depcruise', ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], cwd);
// Outside a git checkout, biome.json's `vcs` section has nothing to read: turn it off for the scratch project.
const biome = (cwd: string, ...extra: string[]) => run('biome', ['ci', '--error-on-warnings', '--vcs-enabled=false', ...extra, '.'], cwd);

describe('the layering holds: HTTP → methods → core → store, protocol pure', () => {
  it('finds no violation in the tree', async () => {
    const { code, output } = await depcruise(ROOT);
    assert.equal(code, 0, output);
    assert.match(output, /no dependency violations found/);
  });

  const cases: Array<[rule: string, files: Record<string, string>]> = [
    [
      'core-speaks-no-wire',
      { 'src/core/refund.ts': "import { yuan } from '../protocol/yuan.js';\nexport const x = yuan;\n", 'src/protocol/yuan.ts': 'export const yuan = 1;\n' },
    ],
    [
      'protocol-is-pure',
      { 'src/protocol/encode.ts': "import { rule } from '../core/rule.js';\nexport const y = rule;\n", 'src/core/rule.ts': 'export const rule = 1;\n' },
    ],
    [
      'methods-and-http-go-through-the-core',
      { 'src/http/route.ts': "import { q } from '../store/sql/q.js';\nexport const z = q;\n", 'src/store/sql/q.ts': 'export const q = 1;\n' },
    ],
    [
      'store-holds-no-logic',
      { 'src/store/sql/q.ts': "import { rule } from '../../core/rule.js';\nexport const q = rule;\n", 'src/core/rule.ts': 'export const rule = 1;\n' },
    ],
    [
      'domain-types-stand-alone',
      { 'src/interfaces.ts': "import type { Rule } from './core/rule.js';\nexport type Shared = Rule;\n", 'src/core/rule.ts': 'export type Rule = 1;\n' },
    ],
    ['methods-know-no-http', { 'src/methods/m.ts': "import { r } from '../http/r.js';\nexport const m = r;\n", 'src/http/r.ts': 'export const r = 1;\n' }],
    ['the-kit-sits-on-top', { 'src/http/r.ts': "import { kit } from '../kit/k.js';\nexport const r = kit;\n", 'src/kit/k.ts': 'export const kit = 1;\n' }],
    [
      'no-cycles',
      {
        'src/core/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/core/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      },
    ],
  ];
  for (const [rule, files] of cases) {
    it(`fails on a deliberate violation of ${rule}`, async () => {
      const { code, output } = await depcruise(scratchProject(files));
      assert.notEqual(code, 0, output);
      assert.match(output, new RegExp(`error ${rule}:`));
    });
  }
});

describe('the tree is clean under the linter and the formatter', () => {
  it('passes biome ci', async () => {
    const { code, output } = await run('biome', ['ci', '--error-on-warnings', '.'], ROOT);
    assert.equal(code, 0, output);
  });

  it('fails on a deliberate lint violation', async () => {
    const dir = scratchProject({ 'src/core/loose.ts': 'export function loose(value: any): any {\n  return value;\n}\n' });
    const { code, output } = await biome(dir);
    assert.notEqual(code, 0, output);
    assert.match(output, /noExplicitAny/);
  });

  it('fails on a file the formatter would change', async () => {
    const dir = scratchProject({ 'src/core/untidy.ts': 'export const untidy = {a:1,\n      b:2}\n' });
    const { code, output } = await biome(dir);
    assert.notEqual(code, 0, output);
    assert.match(output, /format/i);
  });
});

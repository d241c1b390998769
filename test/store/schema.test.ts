/**
 * The data model once: the migrations, the committed schema dumps (src/store/schema-dump/*.sql) and the
 * generated table types (src/store/generated-tables.ts, which store/schema.ts narrows) agree. A migration
 * added without `npm run schema:dump` fails here, on either engine.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { createTableParts, dumpSchema } from '../../src/store/schema-dump/dump-schema.js';
import { generateTables } from '../../src/store/schema-dump/generate-tables.js';
import { describeEachEngine } from '../support/engines.js';
import { openTestStore, type TestStore } from '../support/store.js';

const committed = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const regenerate = 'run `npm run schema:dump` and commit what it writes';

/**
 * Fails with the lines that differ (between the common start and the common end) rather than the whole files,
 * so that the report of a migration added without regenerating names the column it added.
 */
function assertSameText(actual: string, expected: string, message: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  let start = 0;
  while (start < a.length && start < e.length && a[start] === e[start]) start += 1;
  let end = 0;
  while (end < a.length - start && end < e.length - start && a[a.length - 1 - end] === e[e.length - 1 - end]) end += 1;
  const context = start > 0 ? [`  ${start}: ${e[start - 1]}`] : [];
  const removed = e.slice(start, e.length - end).map((line) => `- ${line}`);
  const added = a.slice(start, a.length - end).map((line) => `+ ${line}`);
  assert.fail(`${message}\n(- committed, + migrated)\n${[...context, ...removed, ...added].join('\n')}`);
}

describeEachEngine('the schema', (engine) => {
  let opened: TestStore | undefined;
  const location = () => {
    if (!opened) throw new Error('the test store is opened when the suite starts');
    return opened.location;
  };
  before(async () => {
    opened = await openTestStore(engine);
  });
  after(() => opened?.close());

  it('the migrations make the committed dump', async () => {
    const path = `src/store/schema-dump/${engine}.sql`;
    assertSameText(await dumpSchema(location()), committed(path), `${path} is not what the migrations make: ${regenerate}`);
  });

  it('the migrated schema generates the committed table types', async () => {
    const path = 'src/store/generated-tables.ts';
    assertSameText(await generateTables(location()), committed(path), `${path} is not what the migrated schema generates: ${regenerate}`);
  });
});

it('a SQLite CREATE TABLE splits at its top-level commas only', () => {
  assert.deepEqual(createTableParts(`CREATE TABLE "t" ("a" text default 'x,y', "b" integer, constraint "c" check (b in (1, 2)))`), [
    `"a" text default 'x,y'`,
    '"b" integer',
    'constraint "c" check (b in (1, 2))',
  ]);
});

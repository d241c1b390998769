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
    assert.equal(await dumpSchema(location()), committed(path), `${path} is not what the migrations make: ${regenerate}`);
  });

  it('the migrated schema generates the committed table types', async () => {
    const path = 'src/store/generated-tables.ts';
    assert.equal(await generateTables(location()), committed(path), `${path} is not what the migrated schema generates: ${regenerate}`);
  });
});

it('a SQLite CREATE TABLE splits at its top-level commas only', () => {
  assert.deepEqual(
    createTableParts(`CREATE TABLE "t" ("a" text default 'x,y', "b" integer, constraint "c" check (b in (1, 2)))`),
    [`"a" text default 'x,y'`, '"b" integer', 'constraint "c" check (b in (1, 2))'],
  );
});

/**
 * The `tuikuan` package for CommonJS (`require('tuikuan')`, Jest's default): the kit is an ES module, which
 * CommonJS on Node 20 cannot `require`, so each function here loads it on its first call with a dynamic
 * `import()` — which CommonJS can — and hands the call on. Everything the kit starts is async already.
 */
import type * as Kit from './index.js';

const kit = (): Promise<typeof Kit> => import('./index.js');

/** Starts tuikuan in this process (see the ES module's `startTuikuan`). */
export async function startTuikuan(options?: Kit.StartOptions): Promise<Kit.TuikuanKit> {
  return (await kit()).startTuikuan(options);
}

/** A typed admin client of a running server, resolved once the kit's module has loaded. */
export async function adminClient(options: Kit.AdminClientOptions): Promise<Kit.AdminClient> {
  return (await kit()).adminClient(options);
}

// Type-checked by the suite (tsc --noEmit), never run: the package's types as a CommonJS require() sees them.
import tuikuan = require('tuikuan');

async function main(): Promise<string> {
  const kit = await tuikuan.startTuikuan({ seed: null });
  const snapshot = await kit.snapshot();
  await kit.restore(snapshot);
  // @ts-expect-error: the CommonJS entry's functions are async
  const sync: { gateway: string } = tuikuan.startTuikuan();
  await kit.close();
  return `${snapshot.snapshot_id}${sync.gateway}`;
}
export = main;

/**
 * The SQLite durability thread (see sqlite-group-commit.ts): makes the write-ahead log durable when asked,
 * and keeps the log short with passive checkpoints — both off the event loop, which goes on serving.
 *
 * Messages in: `{ upTo }` — fdatasync the WAL, then answer `{ upTo }` (or `{ upTo, error }`); after answering,
 * a checkpoint runs once `checkpointEvery` commits have been made durable since the last. `{ close: true }` —
 * close the files and end.
 */
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

export interface DurabilityThreadData {
  databasePath: string;
  checkpointEvery: number;
}

const { databasePath, checkpointEvery } = workerData as DurabilityThreadData;
let wal: number | null = null;
let connection: BetterSqlite3.Database | null = null;
let checkpointedUpTo = 0;

function checkpoint(upTo: number): void {
  if (upTo - checkpointedUpTo < checkpointEvery) return;
  checkpointedUpTo = upTo;
  try {
    connection ??= new BetterSqlite3(databasePath, { timeout: 0 });
    // PASSIVE: copies what no reader still needs into the database, never waiting for or blocking a writer.
    connection.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy with another process's checkpoint: a later turn will do.
  }
}

function close(): void {
  connection?.close();
  if (wal !== null) closeSync(wal);
  parentPort?.close();
}

parentPort?.on('message', (message: { upTo: number } | { close: true }) => {
  if ('close' in message) return close();
  const { upTo } = message;
  try {
    wal ??= openSync(`${databasePath}-wal`, 'r');
    fdatasyncSync(wal);
  } catch (error) {
    parentPort?.postMessage({ upTo, error: error instanceof Error ? error.message : String(error) });
    return;
  }
  parentPort?.postMessage({ upTo });
  checkpoint(upTo);
});

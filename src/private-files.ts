/**
 * Files that hold secrets — the database (the platform's private key, merchants' md5 keys and password
 * hashes), the admin token, demo.json — are the owner's alone: directories 0700, files 0600, whatever the
 * process's umask. A file made before this rule existed is tightened when tuikuan next opens it.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';

/** Creates `dir` (and its missing parents) owner-only; a directory that exists is left as it is. */
export function makePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The umask may have taken bits away, never added them; the leaf is set exactly.
  if (created !== undefined) chmodSync(dir, 0o700);
}

/** Makes `file` owner-only, creating it empty when missing. */
export function makePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** Writes `content` to `file`, owner-only. */
export function writePrivateFile(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Tightens each of `files` that exists. */
export function tightenPrivateFiles(files: readonly string[]): void {
  for (const file of files) if (existsSync(file)) chmodSync(file, 0o600);
}

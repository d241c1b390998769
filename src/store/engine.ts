/** The two database engines tuikuan stores in: embedded SQLite (the default) and PostgreSQL. */
export type Engine = 'sqlite' | 'postgres';

/** A `--db` value names PostgreSQL when it is a postgres:// or postgresql:// URL, SQLite otherwise. */
export function engineOf(location: string): Engine {
  return /^postgres(ql)?:\/\//i.test(location) ? 'postgres' : 'sqlite';
}

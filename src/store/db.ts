/** The store's Kysely types: a database, and a transaction on it. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

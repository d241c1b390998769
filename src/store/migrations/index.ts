/**
 * The numbered migrations, in order. Append-only: a released migration is never edited.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-batches.js';
import * as m0003 from './0003-job-revision-and-returned-to.js';
import * as m0004 from './0004-account-status-and-login-lock.js';
import * as m0005 from './0005-dead-jobs-and-line-failures.js';
import * as m0006 from './0006-certificates-and-aes.js';
import * as m0007 from './0007-notification-facts.js';
import * as m0010 from './0010-buyers-and-their-funds.js';
import * as m0011 from './0011-pay-orders.js';
import * as m0012 from './0012-orders-awaiting-the-buyer.js';
import * as m0013 from './0013-a-write-that-refuses.js';

export interface NumberedMigration {
  up(db: Kysely<unknown>, context: MigrationContext): Promise<void>;
}

export const migrations: Record<string, NumberedMigration> = {
  '0001-initial': m0001,
  '0002-batches': m0002,
  '0003-job-revision-and-returned-to': m0003,
  '0004-account-status-and-login-lock': m0004,
  '0005-dead-jobs-and-line-failures': m0005,
  '0006-certificates-and-aes': m0006,
  '0007-notification-facts': m0007,
  '0010-buyers-and-their-funds': m0010,
  '0011-pay-orders': m0011,
  '0012-orders-awaiting-the-buyer': m0012,
  '0013-a-write-that-refuses': m0013,
};

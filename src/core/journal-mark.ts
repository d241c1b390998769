/** Whether the notification journal has changed: a mark that moves with every new notification and attempt. */
import { journalMark as readJournalMark } from '../store/sql/activity-between.js';
import type { CoreDeps } from './deps.js';

export function journalMark(deps: CoreDeps): Promise<string> {
  return readJournalMark(deps.store.db);
}

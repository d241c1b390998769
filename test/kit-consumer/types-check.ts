// Type-checked by the suite (tsc --noEmit), never run: the package's types as an ES module importer sees them.
import { AdminApiError, startTuikuan, type Notification, type StartOptions, type Trade, type TuikuanKit } from 'tuikuan';

const options: StartOptions = { seed: 'demo', clock: 'virtual', logLevel: 'silent' };
const kit: TuikuanKit = await startTuikuan(options);
const trade: Trade = await kit.admin.trades.create({ app_id: kit.demo?.app.app_id ?? '', total_amount: '10.00' });
const refunded: string = trade.refunded_amount;
const waited: Notification = await kit.notifications.waitFor((n) => n.status === 'delivered', { timeout: 1000 });
const attempts: number = waited.attempts;
const moved: number = (await kit.clock.advance('1h')).now_ms;
const error: AdminApiError = new AdminApiError(404, 'trade_not_found', 'no trade');
// @ts-expect-error: trades have no such field
trade.no_such_field;
// @ts-expect-error: advance takes seconds or a duration, not an object
await kit.clock.advance({ hours: 1 });
export { attempts, error, moved, refunded };

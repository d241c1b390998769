/**
 * The `tuikuan` package as merchants import it: the test kit (`startTuikuan`), the typed admin client, and
 * the admin API's types. (The server itself is started by the `tuikuan` command.)
 */
export { startTuikuan, type Seed, type SeedObject, type StartOptions, type TuikuanKit, type WaitForOptions } from './start-tuikuan.js';
export { AdminApiError, adminClient, type AdminClient, type AdminClientOptions } from './admin-client.js';
export { formatDuration, parseDuration } from './duration.js';
export type { DemoCredentials } from '../cli/demo.js';
export type * from './admin-api.js';

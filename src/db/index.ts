export { openDatabase, pingDatabase, type Capabilities, type Database } from './database.js';
export { LocalLocks, type SessionLocks } from './session-locks.js';
export { LocalNotifyChannel, type NotifyChannel } from './notify-channel.js';
export { migrateTo, migrateToLatest } from './migrate.js';
export { dumpSchema } from './schema-dump.js';
export { newId } from './ids.js';
export { prepared, type PreparedQuery } from './prepared.js';
export { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';
export type * from './schema.js';

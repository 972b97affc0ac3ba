import { randomFillSync } from 'node:crypto';

const RANDOM_BYTES = 12;
const POOL_IDS = 256;
// Random bytes drawn from the CSPRNG 256 ids at a time: one call into the system's generator
// instead of one per id (ids are made on every hot path: each message, event and job).
const pool = Buffer.alloc(RANDOM_BYTES * POOL_IDS);
let offset = pool.length;

/**
 * A new row id: a readable prefix and 12 random bytes, time-ordered by a leading millisecond
 * stamp so ids sort roughly by creation (e.g. `ws_0192c3d4e5f6_Xb3k...`).
 */
export function newId(prefix: string): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.toString('base64url', offset, offset + RANDOM_BYTES);
  offset += RANDOM_BYTES;
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${random}`;
}

import { randomBytes } from 'node:crypto';

/**
 * A new row id: a readable prefix and 16 random bytes, time-ordered by a leading millisecond
 * stamp so ids sort roughly by creation (e.g. `ws_0192c3d4e5f6_Xb3k...`).
 */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(12).toString('base64url')}`;
}

import { createHmac } from 'node:crypto';

/**
 * A keyed hash of a person's number, for what may be kept after they were erased (consent
 * tombstones). The key is derived from the platform's secret key (CONVERSA_SECRET_KEY or
 * `<data>/secret.key`) with its own label, so it is never the key that seals provider secrets,
 * and the same number hashes alike after a restart and on every node. Without the key the hash
 * cannot be tested against guessed numbers (a plain hash of a phone number can: there are few).
 * The workspace is part of the input: one person's hashes in two workspaces do not match.
 */
export type SubjectHasher = (workspaceId: string, waId: string) => string;

export function subjectHasher(secretKey: string): SubjectHasher {
  const key = createHmac('sha256', secretKey).update('conversa consent tombstone subject v1').digest();
  return (workspaceId, waId) => createHmac('sha256', key).update(`${workspaceId}\n${waId}`).digest('hex');
}

import type { InboundEvent } from './split-webhook.js';

/** What the verified signers may speak for (from the phone-numbers module's webhook directory). */
export interface WebhookScopeDirectory {
  /** Meta's phone_number_id → its workspace and WABA. */
  numbers: ReadonlyMap<string, { workspaceId: string; wabaId: string }>;
  /** WABA id → the workspaces that connected a number of it. */
  wabas: ReadonlyMap<string, ReadonlySet<string>>;
}

/** An event that names a number or WABA outside what the signers may speak for. */
export interface DroppedEvent {
  kind: InboundEvent['kind'];
  field: string;
  wabaId: string | undefined;
  phoneNumberId: string | undefined;
}

/**
 * Assigns each event of a verified webhook to the workspace it may change, and only among
 * `verified` (the workspaces whose app secret signed the body; several when they share a Meta
 * app). An event naming a number (`metadata.phone_number_id`) goes to that number's workspace,
 * if it is verified and the number belongs to the entry's WABA; an event naming only a WABA
 * (template updates) goes to every verified workspace that connected that WABA. Anything else
 * is dropped, never applied elsewhere. Pure.
 */
export function scopeWebhookEvents(
  events: readonly InboundEvent[],
  verified: ReadonlySet<string>,
  directory: WebhookScopeDirectory,
): { byWorkspace: Map<string, InboundEvent[]>; dropped: DroppedEvent[] } {
  const byWorkspace = new Map<string, InboundEvent[]>();
  const dropped: DroppedEvent[] = [];
  const add = (workspaceId: string, event: InboundEvent) => {
    const list = byWorkspace.get(workspaceId);
    if (list) list.push(event);
    else byWorkspace.set(workspaceId, [event]);
  };
  for (const event of events) {
    let targets: string[] = [];
    if (event.phoneNumberId !== undefined) {
      const number = directory.numbers.get(event.phoneNumberId);
      if (number && number.wabaId === event.wabaId && verified.has(number.workspaceId)) targets = [number.workspaceId];
    } else if (event.wabaId !== undefined) {
      targets = [...(directory.wabas.get(event.wabaId) ?? [])].filter((workspaceId) => verified.has(workspaceId));
    }
    if (targets.length === 0) dropped.push({ kind: event.kind, field: event.field, wabaId: event.wabaId, phoneNumberId: event.phoneNumberId });
    for (const workspaceId of targets) add(workspaceId, event);
  }
  return { byWorkspace, dropped };
}

/**
 * Whether JSON text nests arrays and objects deeper than `max`, found by one pass over the
 * bytes (strings and their escapes skipped) before anything parses it: a signed body 100,000
 * levels deep once overflowed the stack of the code that re-serialises events.
 */
export function jsonDepthExceeds(raw: Uint8Array, max: number): boolean {
  // Hot path (every webhook): a body that opens at most `max` brackets cannot nest deeper, and
  // counting them is a few native searches instead of a JavaScript loop over every byte.
  if (countOpenings(raw, max) <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > max) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return false;
}

/** How many `{` and `[` bytes `raw` holds, counting no further than `limit + 1`. */
function countOpenings(raw: Uint8Array, limit: number): number {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let count = 0;
  for (const opening of [0x7b, 0x5b]) {
    for (let at = bytes.indexOf(opening); at !== -1 && count <= limit; at = bytes.indexOf(opening, at + 1)) count++;
  }
  return count;
}

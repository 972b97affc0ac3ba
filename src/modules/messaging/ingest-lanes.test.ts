import { describe, expect, it } from 'vitest';
import type { InboundWebhookEvent } from '../../whatsapp/index.js';
import { lanesOf } from './ingest-processor.js';

const metadata = { display_phone_number: '15550001111', phone_number_id: 'PN1' };
let nextId = 1;
const item = (payload: InboundWebhookEvent) => ({ event: { id: nextId++, workspace_id: 'ws_1', field: 'messages', kind: payload.kind, payload: '{}', attempts: 1 }, payload, number: undefined });
const text = (from: string, body: string, extra: Record<string, unknown> = {}) => item({ kind: 'message', payload: { metadata, message: { id: `wamid.${nextId}`, from, type: 'text', text: { body }, ...extra } } } as never);
const status = (to: string, name: string) => item({ kind: 'status', payload: { metadata, status: { id: `wamid.out${nextId}`, status: name, recipient_id: to } } } as never);
const bodies = (lane: ReturnType<typeof lanesOf>[number]) => lane.map((i) => (i.payload.kind === 'message' ? (i.payload.payload.message as unknown as { text: { body: string } }).text.body : `${i.payload.kind}`));

describe('lanesOf: a batch split into parallel transactions', () => {
  it("keeps each customer's messages and statuses in one lane, in arrival order, over at most the lanes given", () => {
    const batch = [text('551', 'a1'), text('552', 'b1'), status('551', 'delivered'), text('553', 'c1'), text('551', 'a2'), text('554', 'd1'), text('555', 'e1'), text('552', 'b2')];
    const lanes = lanesOf(batch, 4);
    expect(lanes).toHaveLength(4);
    expect(lanes.flat()).toHaveLength(batch.length);
    const laneOf = (waId: string) => lanes.findIndex((lane) => lane.some((i) => (i.payload.kind === 'message' ? i.payload.payload.message.from : (i.payload.payload as { status: { recipient_id: string } }).status.recipient_id) === waId));
    expect(bodies(lanes[laneOf('551')]!).filter((b) => b.startsWith('a') || b === 'status')).toEqual(['a1', 'status', 'a2']);
    expect(bodies(lanes[laneOf('552')]!).filter((b) => b.startsWith('b'))).toEqual(['b1', 'b2']);
    for (const lane of lanes) expect(lane.map((i) => i.event.id)).toEqual([...lane.map((i) => i.event.id)].sort((x, y) => x - y));
  });

  it('keeps a batch whole with one lane, a group message, a number change or another kind of event', () => {
    const plain = [text('551', 'a'), text('552', 'b')];
    expect(lanesOf(plain, 1)).toEqual([plain]);
    expect(lanesOf([...plain, text('553', 'g', { group_id: 'G1' })], 4)).toHaveLength(1);
    expect(lanesOf([...plain, item({ kind: 'message', payload: { metadata, message: { id: 'wamid.sys', from: '553', type: 'system', system: { type: 'user_changed_number', wa_id: '559' } } } } as never)], 4)).toHaveLength(1);
    expect(lanesOf([...plain, item({ kind: 'template', payload: {} } as never)], 4)).toHaveLength(1);
    expect(lanesOf(plain, 4)).toHaveLength(2);
  });
});

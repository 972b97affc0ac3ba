/**
 * The bot engine's contract: a pure step function
 *
 *   `runEngine(flow, state, event, context) → { state, messages, effects, log }`
 *
 * with no I/O inside (no database, no network, no clock of its own: `context.now`). The
 * platform stores the state, sends the messages through the send policy, runs the effects
 * (HTTP calls, waits, handoffs, form submissions) and feeds their results back as events. The
 * same engine runs in the server, in `conversa flow test|chat` and in the unit tests.
 */
import type { FlowDocument, OutboundSpec } from '../document/index.js';

/** One conversation's place in a flow; JSON-serialisable, stored by the runtime. */
export interface SessionState {
  /** The flow's name and the published version the session runs (it finishes on it). */
  flow: string;
  version: number;
  /** The step waiting for the customer, an effect or a timer; null when nothing waits. */
  waiting: Waiting | null;
  vars: Record<string, unknown>;
  /** Waiting steps visited, most recent last (for the `back` action), at most 20. */
  trail: string[];
  /** Not-understood answers in a row (NLU fallback). */
  misses: number;
  /** Customer messages that arrived while an effect ran: handled, in order, when it returns. */
  queued: CustomerMessage[];
  /** Increases with every effect issued; effect ids are `<n>`-based so a stale result is ignored. */
  seq: number;
  started_at: string;
  /** ISO time after which the session has timed out (`settings.session_timeout_ms` after the last event). */
  expires_at: string;
}

export type Waiting =
  | { kind: 'menu'; step: string; tries: number; page: number }
  | { kind: 'ask'; step: string; tries: number }
  | { kind: 'intent'; step: string }
  /** "Did you mean…?" buttons are showing; `intents` are the offered names. */
  | { kind: 'did_you_mean'; step: string | null; intents: string[] }
  | { kind: 'search'; step: string; results: Array<{ id: string; title: string }> }
  | { kind: 'survey'; step: string; phase: 'score' | 'comment'; tries: number }
  /** An effect (HTTP call, wait timer) is running; its result resumes the flow. */
  | { kind: 'effect'; step: string; effect_id: string };

/** What the customer sent, reduced to what a flow can use. */
export type CustomerMessage =
  | { kind: 'text'; text: string; message_id?: string }
  /** A reply button or list row: its id and title. */
  | { kind: 'reply'; id: string; title: string; message_id?: string }
  | { kind: 'media'; media_type: string; media_id: string; caption?: string; message_id?: string }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string; message_id?: string }
  /** Anything else (a reaction, a contact card, an unsupported type). */
  | { kind: 'other'; type: string; message_id?: string };

/** The customer's text classified by the flow version's trained model (./nlu.ts). */
export interface NluResult {
  intent: string | null;
  score: number;
  /** The best few, highest first. */
  ranking: Array<{ intent: string; score: number }>;
  entities: Array<{ entity: string; text: string; value?: unknown }>;
  language: string;
}

export type EngineEvent =
  /** A trigger matched or the API started the flow; `vars` override the flow's initial values. */
  | { type: 'start'; vars?: Record<string, unknown>; step?: string; message?: CustomerMessage }
  | { type: 'message'; message: CustomerMessage }
  /** An effect's result (`effect_id` as issued). */
  | { type: 'effect_result'; effect_id: string; result: EffectResult }
  /** The session's idle time ran out (`expires_at` passed). */
  | { type: 'timeout' };

export type EffectResult =
  | { ok: true; status: number; body: unknown; headers: Record<string, string> }
  | { ok: false; error: string; status?: number; body?: unknown }
  /** A `wait` elapsed. */
  | { ok: true; elapsed: true };

export type Effect =
  | { type: 'http'; id: string; step: string; request: { method: string; url: string; headers: Record<string, string>; body?: unknown; timeout_ms: number; retries: number } }
  | { type: 'wait'; id: string; step: string; until: string }
  /** Hand the conversation to people: the runtime moves ownership to `queue` with the summary. */
  | { type: 'handoff'; queue: string; reason: string; summary: Record<string, unknown> }
  /** Save a form submission. */
  | { type: 'form'; form: string; fields: Record<string, unknown> }
  | { type: 'survey'; kind: 'csat' | 'nps'; score: number; comment: string | null }
  /** Start another flow (by name) for this conversation; the runtime loads its published version. */
  | { type: 'start_flow'; flow: string }
  /** The session ended (`reason`: end step, timeout, handoff, gave up, error). */
  | { type: 'ended'; reason: string };

/** A line of what the bot did, for the conversation's history and `flow chat`. */
export interface EngineLog {
  level: 'info' | 'warn';
  step: string | null;
  message: string;
}

export interface EngineOutput {
  /** The new state; null when the session ended. */
  state: SessionState | null;
  /** To send, in order (already interpolated; the runtime adds `to` and checks the policy). */
  messages: OutboundSpec[];
  effects: Effect[];
  log: EngineLog[];
}

/** What the engine may use besides the flow and the state; all in memory, no I/O. */
export interface EngineContext {
  now: Date;
  /** Classifies text with the flow version's model (undefined: the flow has no intents). */
  classify?: (text: string) => Promise<NluResult>;
  /** Searches a catalogue of the flow (undefined: no catalogues). */
  search?: (catalog: string, query: string, limit: number) => Array<{ id: string; score: number }>;
  /** Who the customer is, for `{{contact.*}}`. */
  contact: { wa_id: string; name: string | null; language?: string | null; attributes?: Record<string, unknown> };
  /** Whether the 24 h window is open: closed allows only `send_template` steps. */
  windowOpen: boolean;
}

export type RunEngine = (flow: FlowDocument, state: SessionState | null, event: EngineEvent, context: EngineContext) => Promise<EngineOutput>;

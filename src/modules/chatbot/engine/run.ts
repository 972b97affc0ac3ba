import type { FlowDocument, OutboundSpec, Step } from '../document/index.js';
import { evaluate, interpolate, interpolateDeep, type Evaluation, type Scope } from './expressions.js';
import { phrasesFor, type Phrases } from './phrases.js';
import { textMessage } from './render.js';
import type { CustomerMessage, Effect, EngineContext, EngineLog, NluResult, SessionState, Waiting } from './types.js';

/** Steps one event may run before the engine calls it a loop. */
export const MAX_STEPS_PER_EVENT = 100;
/** Waiting steps remembered for the `back` action. */
const MAX_TRAIL = 20;

/**
 * One event's work in progress: the session being changed and what the engine has said and
 * asked for so far. The engine's parts share it; only `runEngine` creates one.
 */
export class Run {
  readonly flow: FlowDocument;
  readonly context: EngineContext;
  readonly phrases: Phrases;
  /** The session; null once it ended. */
  state: SessionState | null;
  readonly messages: OutboundSpec[] = [];
  readonly effects: Effect[] = [];
  readonly log: EngineLog[] = [];
  /** The variables of a session that ended in this event. */
  finalVars: Record<string, unknown> | undefined = undefined;
  /** Steps run for the message (or event) being handled. */
  steps = 0;
  /** The customer's message being handled, and its text (`input` in expressions). */
  message: CustomerMessage | null = null;
  input: string | null = null;
  /** True until a waiting step consumed the message: an `intent` or `search` step reached now may use it. */
  fresh = false;
  /** The message's classification, once asked for (one classify call per message). */
  nlu: NluResult | null | undefined = undefined;
  /** The catalogue item an answer is about (`item` in expressions). */
  item: unknown = null;
  readonly #steps: Map<string, { step: Step; index: number }>;

  constructor(flow: FlowDocument, state: SessionState | null, context: EngineContext) {
    this.flow = flow;
    this.context = context;
    this.state = state;
    this.phrases = phrasesFor(flow.language);
    this.#steps = stepIndex(flow);
  }

  /** The session, which must still be running. */
  get session(): SessionState {
    if (!this.state) throw new Error('the session has ended');
    return this.state;
  }

  step(id: string): Step | undefined {
    return this.#steps.get(id)?.step;
  }

  /** Where a step continues: its `next`, else the step after it, else null (the flow's end). */
  after(step: Step): string | null {
    if (step.next) return step.next;
    const index = this.#steps.get(step.id)?.index ?? this.flow.steps.length;
    return this.flow.steps[index + 1]?.id ?? null;
  }

  /** Takes a customer message as the one being handled. */
  receive(message: CustomerMessage): void {
    this.message = message;
    this.input = messageText(message);
    this.fresh = true;
    this.nlu = undefined;
    this.item = null;
    this.steps = 0;
  }

  scope(extra: Partial<Scope> = {}): Scope {
    return {
      vars: this.state?.vars ?? {},
      contact: this.context.contact,
      input: this.input,
      item: this.item,
      now: this.context.now.toISOString(),
      ...extra,
    };
  }

  info(step: string | null, message: string): void {
    this.log.push({ level: 'info', step, message });
  }

  warn(step: string | null, message: string): void {
    this.log.push({ level: 'warn', step, message });
  }

  /** A text with its placeholders filled; problems become warnings. */
  text(step: string | null, text: string, extra: Partial<Scope> = {}): Promise<string> {
    return interpolate(this.flow, text, this.scope(extra), { secrets: 'drop', warn: (message) => this.warn(step, message) });
  }

  /**
   * An HTTP step's URL: values after its start are percent-encoded (an order number "../admin"
   * stays one path segment); a placeholder that starts the URL (a base URL) is taken as it is.
   */
  url(step: string, url: string): Promise<string> {
    return interpolate(this.flow, url, this.scope(), { secrets: 'keep', warn: (message) => this.warn(step, message), escape: (value, at) => (at === 0 ? value : encodeURIComponent(value)) });
  }

  deep(step: string | null, value: unknown, secrets: 'keep' | 'drop'): Promise<unknown> {
    return interpolateDeep(this.flow, value, this.scope(), { secrets, warn: (message) => this.warn(step, message) });
  }

  /** Evaluates a JSONata expression over the scope, or over `input` when given. */
  evaluate(expression: string, input?: object): Promise<Evaluation> {
    return evaluate(this.flow, expression, input ?? this.scope(), this.context.now.toISOString());
  }

  send(message: OutboundSpec): void {
    this.messages.push(message);
  }

  /** Says a text (interpolated) unless it is empty. */
  async say(step: string | null, text: string | undefined, extra: Partial<Scope> = {}): Promise<void> {
    if (!text) return;
    const body = await this.text(step, text, extra);
    if (body.trim() !== '') this.send(textMessage(body));
  }

  /**
   * True when the 24 h window lets `step` send free-form messages. Otherwise the flow stops
   * here, saying why in the log: outside the window only templates may be sent.
   */
  mustSend(step: Step): boolean {
    if (this.context.windowOpen) return true;
    this.warn(step.id, `the ${step.type} step "${step.id}" cannot send: the 24 h customer service window is closed and only send_template steps may send outside it; the flow stops here`);
    this.end('window_closed');
    return false;
  }

  /** Waits at `step` for the customer (remembered for `back`). */
  wait(waiting: Waiting): void {
    const session = this.session;
    session.waiting = waiting;
    if ('step' in waiting && waiting.step && waiting.kind !== 'effect' && session.trail.at(-1) !== waiting.step) {
      session.trail.push(waiting.step);
      if (session.trail.length > MAX_TRAIL) session.trail.splice(0, session.trail.length - MAX_TRAIL);
    }
  }

  /** A new effect id: based on the session's start and its effect counter, so a stale result never matches. */
  effectId(): string {
    const session = this.session;
    session.seq += 1;
    return `${Date.parse(session.started_at).toString(36)}-${session.seq}`;
  }

  /** Ends the session with an `ended` effect. */
  end(reason: string): void {
    const state = this.state;
    if (!state) return;
    if (state.queued.length > 0) this.warn(null, `${state.queued.length} queued customer message(s) left unanswered: the session ended`);
    this.effects.push({ type: 'ended', reason });
    this.info(null, `session ended (${reason})`);
    this.finalVars = state.vars;
    this.state = null;
  }

  /**
   * Hands the conversation to people: `text` first (when the window allows), then a `handoff`
   * effect with the collected variables (`summary` names some; default all that are set), and
   * the session ends.
   */
  async handoff(step: string | null, queue: string, reason: string, text: string | undefined, summary?: string[]): Promise<void> {
    if (text) {
      if (this.context.windowOpen) await this.say(step, text);
      else this.warn(step, 'the handoff text was not sent: the 24 h window is closed');
    }
    const vars = this.state?.vars ?? {};
    const names = summary ?? Object.keys(vars).filter((name) => vars[name] !== undefined && vars[name] !== null && vars[name] !== '');
    this.effects.push({ type: 'handoff', queue, reason, summary: Object.fromEntries(names.map((name) => [name, vars[name] ?? null])) });
    this.info(step, `handed off to queue "${queue}" (${reason})`);
    this.end('handoff');
  }

  /** Classifies the message being handled, once. Null without a model or text. */
  async classify(): Promise<NluResult | null> {
    if (this.nlu !== undefined) return this.nlu;
    const classify = this.context.classify;
    this.nlu = classify && this.input ? await classify(this.input) : null;
    return this.nlu;
  }
}

const indexes = new WeakMap<FlowDocument, Map<string, { step: Step; index: number }>>();

/** The flow's steps by id, built once per flow object. */
function stepIndex(flow: FlowDocument): Map<string, { step: Step; index: number }> {
  let index = indexes.get(flow);
  if (!index) {
    index = new Map(flow.steps.map((step, i) => [step.id, { step, index: i }]));
    indexes.set(flow, index);
  }
  return index;
}

/** The text a message carries for expressions and matching: its text, button title or caption. */
export function messageText(message: CustomerMessage): string | null {
  switch (message.kind) {
    case 'text':
      return message.text;
    case 'reply':
      return message.title;
    case 'media':
      return message.caption ?? null;
    case 'location':
      return message.name ?? message.address ?? null;
    default:
      return null;
  }
}

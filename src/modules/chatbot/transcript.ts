/**
 * Transcript tests: a YAML file of what a customer says and what the bot must answer, run
 * against a flow with the engine alone (no server, no database). `conversa flow test` and the
 * test suite run them. The format is in docs/flows-engine.md ("Transcript tests").
 */
import { isDeepStrictEqual } from 'node:util';
import type { FlowDocument, OutboundSpec } from './document/index.js';
import { runEngine } from './engine/engine.js';
import { fold } from './engine/fold.js';
import type { CustomerMessage, Effect, EngineContext, EngineEvent, EngineOutput, SessionState } from './engine/types.js';
import { parseTranscript, type BotAssertion, type CannedHttp, type EffectAssertion, type TranscriptCase, type TranscriptFile, type Turn } from './transcript-file.js';

export interface TranscriptDeps {
  /** The flow a transcript names (`flow:` as written: the caller resolves it against the transcript's folder). */
  loadFlow: (path: string) => FlowDocument | Promise<FlowDocument>;
  /** The flow's classify and search (its trained model and catalogue index); none by default. */
  compile?: (flow: FlowDocument) => Pick<EngineContext, 'classify' | 'search'> | Promise<Pick<EngineContext, 'classify' | 'search'>>;
  /** When the conversations happen, unless the file says `now:`. */
  now: Date;
  /** IANA time zone for dates (default: the engine's). */
  timeZone?: string;
}

export interface TranscriptReport {
  flow: string | null;
  /** Why nothing ran (a bad transcript or flow file), else null. */
  error: string | null;
  cases: CaseReport[];
}

export interface CaseReport {
  name: string;
  passed: boolean;
  /** Readable failures: where, what was expected, what the bot did. */
  failures: string[];
}

/** Effects the runner answers itself within a turn before it calls the turn done. */
const MAX_EFFECT_ROUNDS = 50;

/**
 * Runs every case of a transcript and reports each as passed or failed with a readable diff.
 * Never throws for a bad file: the report says what is wrong.
 */
export async function runTranscript(source: string, deps: TranscriptDeps): Promise<TranscriptReport> {
  const parsed = parseTranscript(source);
  if (!parsed.ok) return { flow: null, error: `the transcript has problems:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`, cases: [] };
  const file = parsed.file;
  let flow: FlowDocument;
  let tools: Pick<EngineContext, 'classify' | 'search'>;
  try {
    flow = await deps.loadFlow(file.flow);
    tools = (await deps.compile?.(flow)) ?? {};
  } catch (error) {
    return { flow: file.flow, error: `cannot load the flow ${file.flow}: ${(error as Error).message}`, cases: [] };
  }
  const cases: CaseReport[] = [];
  for (const item of file.cases) cases.push(await runCase(flow, tools, file, item, deps));
  return { flow: file.flow, error: null, cases };
}

/** The report as text: ✓/✗ per case, the failures indented, and an `N passed, N failed` line. */
export function formatTranscriptReport(report: TranscriptReport, title: string): string {
  const lines = [title];
  if (report.error) lines.push(`  ✗ ${report.error}`);
  for (const item of report.cases) {
    lines.push(`  ${item.passed ? '✓' : '✗'} ${item.name}`);
    for (const failure of item.failures) lines.push(...failure.split('\n').map((line) => `      ${line}`));
  }
  return lines.join('\n');
}

async function runCase(flow: FlowDocument, tools: Pick<EngineContext, 'classify' | 'search'>, file: TranscriptFile, item: TranscriptCase, deps: TranscriptDeps): Promise<CaseReport> {
  const failures: string[] = [];
  let now = new Date(file.now ?? deps.now.toISOString());
  let windowOpen = (item.window ?? file.window) === 'open';
  let state: SessionState | null = null;
  let vars: Record<string, unknown> = {};
  let shown: OutboundSpec[] = [];
  let started = false;
  const http = { ...file.http, ...item.http };

  for (const [index, turn] of item.turns.entries()) {
    const where = `turn ${index + 1} (${describeAction(turn)})`;
    let event: EngineEvent;
    if ('timeout' in turn.action) {
      now = state ? new Date(Date.parse(state.expires_at) + 1000) : now;
      event = { type: 'timeout' };
    } else {
      const message = 'none' in turn.action ? null : customerMessage(turn.action, shown);
      if (typeof message === 'string') {
        failures.push(`${where}: ${message}`);
        break;
      }
      if (message) windowOpen = true; // a customer's message opens the 24 h window
      if (!state) {
        event = { type: 'start', ...(message ? { message } : {}), ...(!started ? { vars: item.start.vars, ...(item.start.step ? { step: item.start.step } : {}) } : {}) };
        started = true;
      } else {
        event = { type: 'message', message: message ?? { kind: 'other', type: 'none' } };
      }
    }
    const context: EngineContext = { now, contact: file.contact, windowOpen, ...tools, ...(deps.timeZone ? { timeZone: deps.timeZone } : {}) };
    const turnOut = await runTurn(flow, state, event, context, http);
    state = turnOut.state;
    vars = state?.vars ?? turnOut.final_vars ?? vars;
    if (turnOut.messages.length > 0) shown = turnOut.messages;
    const problems = [...checkBot(turn, turnOut), ...checkEffects(turn, turnOut.effects), ...checkVars(turn, vars)];
    if (turnOut.error) problems.unshift(turnOut.error);
    if (problems.length > 0) {
      failures.push(`${where}:\n${problems.map((p) => `  ${p}`).join('\n')}${logTail(turnOut)}`);
      if (turnOut.error) break;
    }
  }
  return { name: item.name, passed: failures.length === 0, failures };
}

/** One event and every effect the runner answers itself (canned HTTP answers, elapsed waits). */
async function runTurn(flow: FlowDocument, state: SessionState | null, first: EngineEvent, context: EngineContext, http: Record<string, CannedHttp>): Promise<EngineOutput & { error: string | null }> {
  const total: EngineOutput & { error: string | null } = { state, messages: [], effects: [], log: [], error: null };
  let event: EngineEvent | null = first;
  for (let round = 0; event && round < MAX_EFFECT_ROUNDS; round++) {
    const out = await runEngine(flow, total.state, event, context);
    total.state = out.state;
    total.messages.push(...out.messages);
    total.effects.push(...out.effects);
    total.log.push(...out.log);
    if (out.final_vars) total.final_vars = out.final_vars;
    event = null;
    const pending = out.effects.find((effect) => effect.type === 'http' || effect.type === 'wait');
    if (pending?.type === 'wait') event = { type: 'effect_result', effect_id: pending.id, result: { ok: true, elapsed: true } };
    if (pending?.type === 'http') {
      const canned = http[pending.step];
      if (!canned) {
        total.error = `the http step "${pending.step}" has no canned answer: add http: {${pending.step}: {status: 200, body: ...}} to the transcript`;
        return total;
      }
      event = { type: 'effect_result', effect_id: pending.id, result: 'error' in canned ? { ok: false, error: canned.error } : { ok: true, status: canned.status, body: canned.body, headers: canned.headers } };
    }
  }
  if (event) total.error = `more than ${MAX_EFFECT_ROUNDS} http or wait steps in one turn: the flow loops`;
  return total;
}

function customerMessage(action: Turn['action'], shown: OutboundSpec[]): CustomerMessage | string {
  if ('say' in action) return { kind: 'text', text: action.say };
  if ('send' in action) {
    const sent = action.send;
    if ('location' in sent) return { kind: 'location', ...sent.location };
    return { kind: 'media', media_type: sent.media.type, media_id: sent.media.id, ...(sent.media.caption ? { caption: sent.media.caption } : {}) };
  }
  if (!('tap' in action)) return 'nothing to send';
  const choices = shown.flatMap(choicesOf);
  const wanted = action.tap;
  const choice =
    choices.find((c) => c.title === wanted) ??
    choices.find((c) => fold(c.title) === fold(wanted)) ??
    choices.find((c) => c.id === wanted) ??
    (/^\d+$/.test(wanted) ? choices[Number(wanted) - 1] : undefined);
  if (!choice) return `nothing to tap called "${wanted}" in the bot's last messages (offered: ${choices.length > 0 ? choices.map((c) => `"${c.title}"`).join(', ') : 'no buttons or rows'})`;
  return { kind: 'reply', id: choice.id, title: choice.title };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- message bodies are read field by field

/** The buttons and rows a message offers; a template's quick replies by their payload. */
export function choicesOf(message: OutboundSpec): Array<{ id: string; title: string; description?: string }> {
  const m = message as Json;
  if (m.type === 'interactive' && m.interactive?.type === 'button') return (m.interactive.action?.buttons ?? []).map((b: Json) => ({ id: String(b.reply?.id), title: String(b.reply?.title) }));
  if (m.type === 'interactive' && m.interactive?.type === 'list') return (m.interactive.action?.sections ?? []).flatMap((s: Json) => s.rows ?? []);
  if (m.type === 'template') {
    return (m.template?.components ?? [])
      .filter((c: Json) => c.type === 'button')
      .flatMap((c: Json) => (c.parameters ?? []).filter((p: Json) => p.type === 'payload').map((p: Json) => ({ id: String(p.payload), title: String(p.payload) })));
  }
  return [];
}

/** The text a message shows (a text's body, an interactive body, a caption). */
export function bodyOf(message: OutboundSpec): string | null {
  const m = message as Json;
  if (m.type === 'text') return String(m.text?.body ?? '');
  if (m.type === 'interactive') return String(m.interactive?.body?.text ?? '');
  const media = m[m.type];
  return typeof media?.caption === 'string' ? media.caption : null;
}

/** One line per bot message: `text "…"`, `buttons "…" [A | B]`, `list "…" [A | B]`, `template name`. */
export function describeMessage(message: OutboundSpec): string {
  const m = message as Json;
  if (m.type === 'template') return `template ${m.template?.name}`;
  const body = bodyOf(message);
  const kind = m.type === 'interactive' ? (m.interactive?.type === 'button' ? 'buttons' : m.interactive?.type) : m.type;
  const choices = choicesOf(message).map((c) => c.title);
  return `${kind}${body !== null ? ` ${JSON.stringify(body)}` : ''}${choices.length > 0 ? ` [${choices.join(' | ')}]` : ''}`;
}

function describeAssertion(assertion: BotAssertion): string {
  const parts: string[] = [];
  if (assertion.type !== undefined) parts.push(`type ${assertion.type}`);
  if (assertion.text !== undefined) parts.push(`text ${JSON.stringify(assertion.text)}`);
  if (assertion.contains !== undefined) parts.push(`contains ${JSON.stringify(assertion.contains)}`);
  if (assertion.buttons) parts.push(`buttons [${assertion.buttons.join(' | ')}]`);
  if (assertion.list) parts.push(`list [${assertion.list.join(' | ')}]`);
  if (assertion.template !== undefined) parts.push(`template ${assertion.template}`);
  return parts.join(' + ') || '(any message)';
}

function matches(assertion: BotAssertion, message: OutboundSpec): boolean {
  const m = message as Json;
  const body = bodyOf(message);
  const titles = choicesOf(message).map((c) => c.title);
  if (assertion.type !== undefined && m.type !== assertion.type) return false;
  if (assertion.text !== undefined && body?.trim() !== assertion.text.trim()) return false;
  if (assertion.contains !== undefined && !(body ?? '').includes(assertion.contains)) return false;
  if (assertion.buttons && !(m.interactive?.type === 'button' && isDeepStrictEqual(titles, assertion.buttons))) return false;
  if (assertion.list && !(m.interactive?.type === 'list' && isDeepStrictEqual(titles, assertion.list))) return false;
  if (assertion.template !== undefined && !(m.type === 'template' && m.template?.name === assertion.template)) return false;
  return true;
}

function checkBot(turn: Turn, out: EngineOutput): string[] {
  if (!turn.bot) return [];
  const expected = turn.bot;
  const got = out.messages;
  const ok = expected.length === got.length && expected.every((assertion, i) => matches(assertion, got[i] as OutboundSpec));
  if (ok) return [];
  const lines = ["the bot's messages differ:"];
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const want = expected[i];
    const have = got[i];
    const fine = want !== undefined && have !== undefined && matches(want, have);
    lines.push(`  ${fine ? '✓' : '✗'} ${i + 1}. expected: ${want ? describeAssertion(want) : '(no more messages)'}`);
    if (!fine) lines.push(`       got:      ${have ? describeMessage(have) : '(nothing)'}`);
  }
  return [lines.join('\n  ')];
}

const MAIN_FIELD: Record<Effect['type'], string> = { http: 'step', wait: 'step', handoff: 'queue', form: 'form', survey: 'score', start_flow: 'flow', ended: 'reason' };

/** Each expected effect must occur, in this order; others may occur between them. */
function checkEffects(turn: Turn, effects: Effect[]): string[] {
  if (!turn.effects) return [];
  let from = 0;
  for (const expected of turn.effects) {
    const found = effects.findIndex((effect, i) => i >= from && effectMatches(expected, effect));
    if (found < 0) {
      return [`expected effect ${JSON.stringify(expected)} (in this order: ${turn.effects.map((e) => JSON.stringify(e)).join(', ')})\n    got: ${effects.map(describeEffect).join(', ') || 'no effects'}`];
    }
    from = found + 1;
  }
  return [];
}

function effectMatches(expected: EffectAssertion, effect: Effect): boolean {
  const main = MAIN_FIELD[effect.type];
  if (!(effect.type in expected)) return false;
  const fields = effect as unknown as Record<string, unknown>;
  const wanted = expected[effect.type];
  if (wanted !== null && wanted !== true && !isDeepStrictEqual(fields[main], wanted)) return false;
  return Object.entries(expected).every(([key, value]) => key === effect.type || partial(value, fields[key]));
}

export function describeEffect(effect: Effect): string {
  const fields = effect as unknown as Record<string, unknown>;
  const main = MAIN_FIELD[effect.type];
  return `{${effect.type}: ${JSON.stringify(fields[main])}}`;
}

function checkVars(turn: Turn, vars: Record<string, unknown>): string[] {
  if (!turn.vars) return [];
  return Object.entries(turn.vars)
    .filter(([name, value]) => !partial(value, vars[name]))
    .map(([name, value]) => `vars.${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(vars[name]) ?? 'nothing'}`);
}

/** Expected objects match by the keys they name; everything else must be equal. */
function partial(expected: unknown, got: unknown): boolean {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!got || typeof got !== 'object' || Array.isArray(got)) return false;
    return Object.entries(expected).every(([key, value]) => partial(value, (got as Record<string, unknown>)[key]));
  }
  return isDeepStrictEqual(expected, got);
}

function describeAction(turn: Turn): string {
  const action = turn.action;
  if ('say' in action) return `say ${JSON.stringify(action.say)}`;
  if ('tap' in action) return `tap ${JSON.stringify(action.tap)}`;
  if ('send' in action) return `send ${'location' in action.send ? 'location' : action.send.media.type}`;
  if ('timeout' in action) return 'timeout';
  return 'the bot starts';
}

function logTail(out: EngineOutput): string {
  const warnings = out.log.filter((line) => line.level === 'warn');
  return warnings.length > 0 ? `\n  engine warnings:\n${warnings.map((line) => `    ${line.step ? `[${line.step}] ` : ''}${line.message}`).join('\n')}` : '';
}

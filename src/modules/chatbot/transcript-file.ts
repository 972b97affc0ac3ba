/**
 * The transcript file: what a customer says to a flow and what the bot must answer, read from
 * YAML and checked field by field (docs/flows-engine.md, "Transcript tests").
 */
import { parse } from 'yaml';

export interface TranscriptFile {
  /** The flow's file, relative to the transcript's folder. */
  flow: string;
  contact: { name: string | null; wa_id: string };
  window: 'open' | 'closed';
  /** When the conversation happens (ISO 8601; default: the runner's `now`). */
  now: string | null;
  http: Record<string, CannedHttp>;
  cases: TranscriptCase[];
}

export type CannedHttp = { status: number; body: unknown; headers: Record<string, string> } | { error: string };

export interface TranscriptCase {
  name: string;
  start: { vars: Record<string, unknown>; step: string | null };
  window: 'open' | 'closed' | null;
  http: Record<string, CannedHttp>;
  turns: Turn[];
}

export type TurnAction =
  | { say: string }
  | { tap: string }
  | { send: { location: { latitude: number; longitude: number; name?: string; address?: string } } | { media: { type: string; id: string; caption?: string } } }
  | { timeout: true }
  | { none: true };

export interface Turn {
  action: TurnAction;
  bot: BotAssertion[] | null;
  effects: EffectAssertion[] | null;
  vars: Record<string, unknown> | null;
}

/** One bot message: every key given must hold. */
export interface BotAssertion {
  text?: string;
  contains?: string;
  buttons?: string[];
  list?: string[];
  template?: string;
  type?: string;
}

/** `{ handoff: 'support' }`, `{ form: 'lead', fields: {...} }`, `{ ended: 'end' }`: the effect's type and its main field, and other fields partially. */
export type EffectAssertion = Record<string, unknown>;

export type ParsedTranscript = { ok: true; file: TranscriptFile } | { ok: false; problems: string[] };

type Raw = Record<string, unknown>;

/** Reads a transcript file; every problem names its place (`cases[1].turns[0].bot[2]`). */
export function parseTranscript(source: string): ParsedTranscript {
  let raw: unknown;
  try {
    raw = parse(source);
  } catch (error) {
    return { ok: false, problems: [`not YAML: ${(error as Error).message}`] };
  }
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  if (!isObject(raw)) return { ok: false, problems: ['the file must be a mapping with flow: and cases:'] };
  known(raw, ['flow', 'contact', 'window', 'now', 'http', 'cases'], '', problem);
  const flow = typeof raw.flow === 'string' && raw.flow.trim() !== '' ? raw.flow : (problem('flow', 'the flow file to test is required (a path relative to this file)'), '');
  const contact = isObject(raw.contact) ? raw.contact : {};
  if (raw.contact !== undefined && !isObject(raw.contact)) problem('contact', 'must be a mapping {name, wa_id}');
  const window = windowOf(raw.window, 'window', problem) ?? 'open';
  const now = raw.now === undefined ? null : typeof raw.now === 'string' && !Number.isNaN(Date.parse(raw.now)) ? raw.now : (problem('now', 'must be an ISO 8601 time such as 2026-03-10T12:00:00Z'), null);
  const http = httpOf(raw.http, 'http', problem);
  const cases: TranscriptCase[] = [];
  if (!Array.isArray(raw.cases) || raw.cases.length === 0) problem('cases', 'at least one case is required: cases: [{name, turns: [...]}]');
  else raw.cases.forEach((item, i) => {
    const parsed = caseOf(item, `cases[${i}]`, problem);
    if (parsed) cases.push(parsed);
  });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    file: { flow, contact: { name: typeof contact.name === 'string' ? contact.name : null, wa_id: contact.wa_id === undefined ? '5511900000000' : String(contact.wa_id) }, window, now, http, cases },
  };
}

type Problem = (path: string, message: string) => void;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function known(raw: Raw, keys: string[], path: string, problem: Problem): void {
  for (const key of Object.keys(raw)) if (!keys.includes(key)) problem(path ? `${path}.${key}` : key, `unknown key (expected one of ${keys.join(', ')})`);
}

function windowOf(value: unknown, path: string, problem: Problem): 'open' | 'closed' | null {
  if (value === undefined) return null;
  if (value === 'open' || value === 'closed') return value;
  problem(path, 'must be open or closed');
  return null;
}

function httpOf(value: unknown, path: string, problem: Problem): Record<string, CannedHttp> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problem(path, 'must map http step ids to canned answers: {status, body} or {error: "timeout"}');
    return {};
  }
  const out: Record<string, CannedHttp> = {};
  for (const [step, answer] of Object.entries(value)) {
    if (isObject(answer) && typeof answer.error === 'string') out[step] = { error: answer.error };
    else if (isObject(answer) && Number.isInteger(answer.status)) out[step] = { status: answer.status as number, body: answer.body ?? null, headers: isObject(answer.headers) ? (answer.headers as Record<string, string>) : {} };
    else problem(`${path}.${step}`, 'must be {status: 200, body: ...} or {error: "timeout"}');
  }
  return out;
}

function caseOf(raw: unknown, path: string, problem: Problem): TranscriptCase | null {
  if (!isObject(raw)) {
    problem(path, 'must be a mapping {name, turns}');
    return null;
  }
  known(raw, ['name', 'start', 'window', 'http', 'turns'], path, problem);
  const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : (problem(`${path}.name`, 'is required'), path);
  const start = isObject(raw.start) ? raw.start : {};
  if (raw.start !== undefined && !isObject(raw.start)) problem(`${path}.start`, 'must be a mapping {vars, step}');
  if (start.vars !== undefined && !isObject(start.vars)) problem(`${path}.start.vars`, 'must be a mapping of variable names to values');
  const turns: Turn[] = [];
  if (!Array.isArray(raw.turns) || raw.turns.length === 0) problem(`${path}.turns`, 'at least one turn is required');
  else raw.turns.forEach((turn, i) => {
    const parsed = turnOf(turn, `${path}.turns[${i}]`, i === 0, problem);
    if (parsed) turns.push(parsed);
  });
  return {
    name,
    start: { vars: isObject(start.vars) ? start.vars : {}, step: typeof start.step === 'string' ? start.step : null },
    window: windowOf(raw.window, `${path}.window`, problem),
    http: httpOf(raw.http, `${path}.http`, problem),
    turns,
  };
}

const ACTIONS = ['say', 'tap', 'send', 'timeout'];

function turnOf(raw: unknown, path: string, first: boolean, problem: Problem): Turn | null {
  if (!isObject(raw)) {
    problem(path, 'must be a mapping such as {say: "oi", bot: [...]}');
    return null;
  }
  known(raw, [...ACTIONS, 'bot', 'effects', 'vars'], path, problem);
  const actions = ACTIONS.filter((key) => raw[key] !== undefined);
  if (actions.length > 1) problem(path, `one customer action per turn (found ${actions.join(' and ')})`);
  if (actions.length === 0 && !first) problem(path, 'needs say, tap, send or timeout (only the first turn may have none: the bot speaks first)');
  let action: TurnAction = { none: true };
  if (typeof raw.say === 'string' || typeof raw.say === 'number') action = { say: String(raw.say) };
  else if (typeof raw.tap === 'string' || typeof raw.tap === 'number') action = { tap: String(raw.tap) };
  else if (raw.timeout === true) action = { timeout: true };
  else if (raw.send !== undefined) {
    const send = isObject(raw.send) ? raw.send : {};
    const location = isObject(send.location) ? send.location : null;
    const media = isObject(send.media) ? send.media : null;
    if (location && typeof location.latitude === 'number' && typeof location.longitude === 'number') {
      action = { send: { location: { latitude: location.latitude, longitude: location.longitude, ...(typeof location.name === 'string' ? { name: location.name } : {}), ...(typeof location.address === 'string' ? { address: location.address } : {}) } } };
    } else if (media && typeof media.type === 'string') {
      action = { send: { media: { type: media.type, id: typeof media.id === 'string' ? media.id : 'media-1', ...(typeof media.caption === 'string' ? { caption: media.caption } : {}) } } };
    } else problem(`${path}.send`, 'must be {location: {latitude, longitude}} or {media: {type: image, caption?}}');
  } else if (actions.length === 1) problem(`${path}.${actions[0]}`, actions[0] === 'timeout' ? 'must be true' : 'must be a text');
  let bot: BotAssertion[] | null = null;
  if (raw.bot !== undefined) {
    if (!Array.isArray(raw.bot)) problem(`${path}.bot`, 'must be a list of assertions, one per bot message: [{text: ...}, {buttons: [...]}]');
    else bot = raw.bot.flatMap((item, i) => assertionOf(item, `${path}.bot[${i}]`, problem));
  }
  let effects: EffectAssertion[] | null = null;
  if (raw.effects !== undefined) {
    if (!Array.isArray(raw.effects) || !raw.effects.every(isObject)) problem(`${path}.effects`, 'must be a list such as [{handoff: support}, {ended: handoff}]');
    else effects = raw.effects as EffectAssertion[];
  }
  if (raw.vars !== undefined && !isObject(raw.vars)) problem(`${path}.vars`, 'must be a mapping of variable names to expected values');
  return { action, bot, effects, vars: isObject(raw.vars) ? raw.vars : null };
}

function assertionOf(raw: unknown, path: string, problem: Problem): BotAssertion[] {
  if (typeof raw === 'string') return [{ text: raw }];
  if (!isObject(raw)) {
    problem(path, 'must be {text}, {contains}, {buttons}, {list}, {template} or {type}');
    return [];
  }
  known(raw, ['text', 'contains', 'buttons', 'list', 'template', 'type'], path, problem);
  const out: BotAssertion = {};
  for (const key of ['text', 'contains', 'template', 'type'] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] === 'string' || typeof raw[key] === 'number') out[key] = String(raw[key]);
    else problem(`${path}.${key}`, 'must be a text');
  }
  for (const key of ['buttons', 'list'] as const) {
    if (raw[key] === undefined) continue;
    if (Array.isArray(raw[key])) out[key] = (raw[key] as unknown[]).map(String);
    else problem(`${path}.${key}`, 'must be a list of titles');
  }
  return [out];
}

import type { FlowDocument } from '../document/index.js';
import { handleMessage, routeIntent } from './answers.js';
import { Run } from './run.js';
import { advance } from './steps.js';
import type { CustomerMessage, EngineContext, EngineEvent, EngineOutput, RunEngine, SessionState } from './types.js';

/**
 * The bot engine: one event applied to one session (see ./types.ts). Pure and deterministic:
 * no I/O, time from `context.now`, the caller's state is not modified (a new one is answered).
 *
 * - `start`: a new session at `event.step` (default `flow.start`) with `event.vars` over the
 *   flow's variables; `event.message` is the trigger's message (`input`; an intent step
 *   without a question classifies it).
 * - `message`: handled by the waiting step; queued while an effect runs.
 * - `effect_result`: resumes the step that waits for it (a stale id is ignored), then handles
 *   the queued messages in order.
 * - `timeout`: says `settings.texts.timeout` (when set) and ends the session.
 *
 * Steps run until one waits or the flow ends; `state.expires_at` is pushed to
 * `now + settings.session_timeout_ms` (past the end of a running `wait`).
 *
 * @example const out = await runEngine(flow, null, { type: 'start' }, { now, contact, windowOpen: true });
 */
export const runEngine: RunEngine = async (flow, state, event, context) => {
  const run = new Run(flow, state ? structuredClone(state) : null, context);
  switch (event.type) {
    case 'start':
      await start(run, flow, event, context);
      break;
    case 'message':
      if (!run.state) {
        run.info(null, 'no session is running: the message is for the triggers');
        break;
      }
      await handleMessage(run, event.message);
      await handleQueued(run);
      break;
    case 'effect_result':
      if (!(await resume(run, event))) return unchanged(state, run);
      break;
    case 'timeout':
      if (!(await timeout(run))) return unchanged(state, run);
      break;
  }
  if (run.state) run.state.expires_at = expiry(run, state);
  return { state: run.state, messages: run.messages, effects: run.effects, log: run.log, ...(run.state === null && run.finalVars ? { final_vars: run.finalVars } : {}) };
};

async function start(run: Run, flow: FlowDocument, event: Extract<EngineEvent, { type: 'start' }>, context: EngineContext): Promise<void> {
  const now = context.now.toISOString();
  if (run.state) run.info(null, `a new session replaces the one waiting at ${JSON.stringify(run.state.waiting)}`);
  run.state = {
    flow: flow.name,
    version: context.version ?? 0,
    waiting: null,
    vars: { ...structuredClone(flow.variables), ...structuredClone(event.vars ?? {}) },
    trail: [],
    misses: 0,
    queued: [],
    seq: 0,
    started_at: now,
    expires_at: now,
  };
  if (event.message) run.receive(event.message);
  const first = event.step ?? (await intentEntry(flow, event.message, context)) ?? flow.start;
  run.info(first, `flow "${flow.name}" started`);
  await advance(run, first);
  // An intent step with no question, reached with the trigger's message unanswered, classifies it.
  const waiting = run.state?.waiting;
  if (waiting?.kind === 'intent' && run.fresh && run.input) {
    const step = run.step(waiting.step);
    if (step?.type === 'intent') await routeIntent(run, step);
  }
}

/**
 * Where a flow started by free text begins: when the message is one of the flow's intent
 * triggers (above the threshold) and that intent names a `goto`, the flow starts there (a FAQ
 * question answered at once, not after the menu); else at `start`.
 */
async function intentEntry(flow: FlowDocument, message: CustomerMessage | undefined, context: EngineContext): Promise<string | undefined> {
  if (message?.kind !== 'text' || !context.classify) return undefined;
  const triggering = new Set(flow.triggers.flatMap((t) => (t.type === 'intent' ? t.intents : [])));
  if (triggering.size === 0) return undefined;
  const result = await context.classify(message.text);
  if (!result.intent || !triggering.has(result.intent) || result.score < flow.settings.nlu_threshold) return undefined;
  return flow.intents.find((intent) => intent.name === result.intent)?.goto;
}

/** An effect's result: the waiting step goes on. False when the result is stale (ignored). */
async function resume(run: Run, event: Extract<EngineEvent, { type: 'effect_result' }>): Promise<boolean> {
  const waiting = run.state?.waiting;
  if (!run.state || waiting?.kind !== 'effect' || waiting.effect_id !== event.effect_id) {
    run.info(null, `result of effect ${event.effect_id} ignored: the session no longer waits for it`);
    return false;
  }
  const step = run.step(waiting.step);
  const result = event.result;
  if (step?.type === 'http') {
    const failure = !result.ok ? result.error : 'status' in result && result.status >= 400 ? `status ${result.status}` : null;
    if (failure !== null || !result.ok || !('status' in result)) {
      run.warn(step.id, `${step.method} request failed (${failure ?? 'no response'}): going on at ${step.on_error ? `"${step.on_error}"` : 'the next step'}`);
      await advance(run, step.on_error ?? run.after(step));
    } else {
      run.info(step.id, `${step.method} answered ${result.status}`);
      const answer = { status: result.status, body: result.body, headers: result.headers };
      for (const [name, expression] of Object.entries(step.save)) {
        const saved = await run.evaluate(expression, answer);
        if (!saved.ok) run.warn(step.id, `vars.${name} := ${expression}: ${saved.error} (set to null)`);
        run.session.vars[name] = saved.ok ? (saved.value ?? null) : null;
      }
      await advance(run, run.after(step));
    }
  } else if (step?.type === 'wait') {
    await advance(run, run.after(step));
  } else {
    run.warn(waiting.step, `the session waits at "${waiting.step}", which is no longer an http or wait step`);
    run.end('error');
  }
  await handleQueued(run);
  return true;
}

/** Customer messages that came while an effect ran, in order, until a step waits for another effect. */
async function handleQueued(run: Run): Promise<void> {
  while (run.state?.waiting && run.state.waiting.kind !== 'effect' && run.state.queued.length > 0) {
    const message = run.state.queued.shift();
    if (message) await handleMessage(run, message);
  }
}

/** The session's idle time ran out. False when it had not (a late timer): ignored. */
async function timeout(run: Run): Promise<boolean> {
  if (!run.state) {
    run.info(null, 'timeout ignored: no session is running');
    return false;
  }
  if (Date.parse(run.state.expires_at) > run.context.now.getTime()) {
    run.info(null, `timeout ignored: the session runs until ${run.state.expires_at}`);
    return false;
  }
  const text = run.flow.settings.texts.timeout;
  if (text && run.context.windowOpen) await run.say(null, text);
  run.end('timeout');
  return true;
}

/** Past the session timeout from now, and from the end of a `wait` the session waits for. */
function expiry(run: Run, before: SessionState | null): string {
  const timeoutMs = run.flow.settings.session_timeout_ms;
  let expires = run.context.now.getTime() + timeoutMs;
  const waiting = run.state?.waiting;
  if (waiting?.kind === 'effect') {
    const timer = run.effects.find((effect) => effect.type === 'wait' && effect.id === waiting.effect_id);
    if (timer?.type === 'wait') expires = Math.max(expires, Date.parse(timer.until) + timeoutMs);
    const previous = before?.waiting;
    if (previous?.kind === 'effect' && previous.effect_id === waiting.effect_id && before) expires = Math.max(expires, Date.parse(before.expires_at) || 0);
  }
  return new Date(expires).toISOString();
}

function unchanged(state: SessionState | null, run: Run): EngineOutput {
  return { state, messages: run.messages, effects: run.effects, log: run.log };
}

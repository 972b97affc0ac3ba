import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import {
  bodyOf,
  choicesOf,
  runEngine,
  type CustomerMessage,
  type Effect,
  type EffectResult,
  type EngineContext,
  type EngineEvent,
  type FlowDocument,
  type OutboundSpec,
  type SessionState,
} from '../modules/chatbot/index.js';
import { compileFlow, loadFlowFile } from './flow-loader.js';

const HELP = `Usage: conversa flow chat FILE [options]

Talks to a flow in the terminal with the bot engine alone (no server). Type what the customer
says; buttons and list rows are numbered, and typing a number taps one. HTTP steps call
nothing: the request is printed and you type the answer as JSON, or --http gives canned ones.

Commands while chatting:
  /location LAT,LNG [NAME]   send a location        /media TYPE [CAPTION]   send an image, document...
  /timeout                   let the session expire /vars                   show the variables
  /restart                   end and start over     /quit                   leave (or Ctrl-D)

Options:
  --http FILE      canned answers for http steps, by step id: {lookup: {status: 200, body: {...}}}
  --name NAME      the customer's name (contact.name; default Ana)
  --wa-id ID       the customer's WhatsApp id (default 5511999990001)
  --window STATE   open (default) or closed: the 24 h window before the customer writes
  --vars JSON      variables to start with, e.g. '{"plan": "gold"}'
  --start          start the flow at once (as the API would), not on the first message
  --verbose, -v    show every line of the engine's log (warnings are always shown)`;

export interface FlowChatIo {
  out: (text: string) => void;
  err: (text: string) => void;
  input: NodeJS.ReadableStream;
  /** True when a person types: a prompt is shown; otherwise what was read is echoed. */
  tty: boolean;
  /** Writes a prompt without a line break. */
  prompt: (text: string) => void;
}

type Canned = Record<string, { status?: number; body?: unknown; headers?: Record<string, string>; error?: string }>;

/** `conversa flow chat`. Answers the exit code. */
export async function runFlowChat(argv: string[], io: FlowChatIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        http: { type: 'string' },
        name: { type: 'string' },
        'wa-id': { type: 'string' },
        window: { type: 'string' },
        vars: { type: 'string' },
        start: { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    (values.help ? io.out : io.err)(HELP);
    return values.help ? 0 : 2;
  }
  if (values.window !== undefined && values.window !== 'open' && values.window !== 'closed') {
    io.err('--window must be open or closed.');
    return 2;
  }
  let flow: FlowDocument;
  let canned: Canned = {};
  let startVars: Record<string, unknown> = {};
  try {
    flow = await loadFlowFile(positionals[0] ?? '');
    if (values.http) canned = (parse(await readFile(values.http, 'utf8')) as Canned | null) ?? {};
    if (values.vars) startVars = JSON.parse(values.vars) as Record<string, unknown>;
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  const chat = new TerminalChat(flow, await compileFlow(flow), io, canned, {
    contact: { wa_id: values['wa-id'] ?? '5511999990001', name: values.name ?? 'Ana' },
    windowOpen: values.window !== 'closed',
    vars: startVars,
    verbose: values.verbose === true,
  });
  return chat.run(values.start === true);
}

class TerminalChat {
  #state: SessionState | null = null;
  #choices: Array<{ id: string; title: string }> = [];
  #windowOpen: boolean;
  #started = false;
  readonly #lines: AsyncIterator<string>;

  constructor(
    readonly flow: FlowDocument,
    readonly tools: Pick<EngineContext, 'classify' | 'search'>,
    readonly io: FlowChatIo,
    readonly canned: Canned,
    readonly options: { contact: EngineContext['contact']; windowOpen: boolean; vars: Record<string, unknown>; verbose: boolean },
  ) {
    this.#windowOpen = options.windowOpen;
    this.#lines = createInterface({ input: io.input, terminal: false })[Symbol.asyncIterator]();
  }

  async run(startNow: boolean): Promise<number> {
    this.io.out(`Chatting with flow "${this.flow.name}" (${this.flow.steps.length} steps). /quit or Ctrl-D to leave, a number taps a choice.`);
    if (startNow) await this.turn(this.startEvent(null));
    for (;;) {
      const line = await this.#read(this.io.tty ? 'you> ' : null);
      if (line === null) break;
      const text = line.trim();
      if (text === '') continue;
      if (!this.io.tty) this.io.out(`you: ${text}`);
      if (text === '/quit' || text === '/exit') break;
      if (text === '/vars') {
        this.io.out(`  vars: ${JSON.stringify(this.#state?.vars ?? {})}`);
        continue;
      }
      if (text === '/restart') {
        this.#state = null;
        this.#started = false;
        this.io.out('  (the session was dropped; the next message starts the flow again)');
        continue;
      }
      if (text === '/timeout') {
        if (!this.#state) this.io.out('  (no session is running)');
        else await this.turn({ type: 'timeout' }, new Date(Date.parse(this.#state.expires_at) + 1000));
        continue;
      }
      const message = this.#message(text);
      if (typeof message === 'string') {
        this.io.out(`  ${message}`);
        continue;
      }
      this.#windowOpen = true;
      await this.turn(this.#state ? { type: 'message', message } : this.startEvent(message));
    }
    return 0;
  }

  startEvent(message: CustomerMessage | null): EngineEvent {
    const first = !this.#started;
    this.#started = true;
    return { type: 'start', ...(message ? { message } : {}), ...(first ? { vars: this.options.vars } : {}) };
  }

  /** One event, and the effects the terminal answers (http: canned or typed; wait: at once). */
  async turn(first: EngineEvent, at?: Date): Promise<void> {
    let event: EngineEvent | null = first;
    while (event) {
      const context: EngineContext = { now: at ?? new Date(), contact: this.options.contact, windowOpen: this.#windowOpen, ...this.tools };
      const out = await runEngine(this.flow, this.#state, event, context);
      this.#state = out.state;
      for (const message of out.messages) this.#show(message);
      for (const line of out.log) {
        if (line.level === 'warn' || this.options.verbose) this.io.out(`  · ${line.level === 'warn' ? 'warning: ' : ''}${line.step ? `[${line.step}] ` : ''}${line.message}`);
      }
      event = null;
      for (const effect of out.effects) {
        const result = await this.#effect(effect);
        if (result === 'quit') return;
        if (result) event = { type: 'effect_result', effect_id: result.id, result: result.result };
      }
      if (!this.#state && !event) this.io.out('  (the session ended; type to start the flow again)');
    }
  }

  #show(message: OutboundSpec): void {
    const m = message as { type: string; template?: { name?: string; language?: { code?: string } } } & Record<string, unknown>;
    const body = bodyOf(message);
    if (m.type === 'template') this.io.out(`bot: [template ${m.template?.name} (${m.template?.language?.code})]`);
    else if (body !== null && (m.type === 'text' || m.type === 'interactive')) this.io.out(`bot: ${body.replaceAll('\n', '\n     ')}`);
    else this.io.out(`bot: [${m.type}] ${JSON.stringify(m[m.type])}`);
    const choices = choicesOf(message);
    if (choices.length > 0) {
      this.#choices = choices;
      choices.forEach((choice, i) => this.io.out(`     ${i + 1}) ${choice.title}${choice.description ? ` — ${choice.description}` : ''}`));
    } else if (m.type === 'interactive' || m.type === 'text') {
      this.#choices = [];
    }
  }

  async #effect(effect: Effect): Promise<{ id: string; result: EffectResult } | 'quit' | null> {
    switch (effect.type) {
      case 'http': {
        const { method, url, headers, body } = effect.request;
        this.io.out(`  → HTTP ${method} ${url}`);
        for (const [name, value] of Object.entries(headers)) this.io.out(`      ${name}: ${value}`);
        if (body !== undefined) this.io.out(`      ${JSON.stringify(body)}`);
        const canned = this.canned[effect.step];
        if (canned) {
          this.io.out(`    (canned answer for "${effect.step}": ${canned.error ?? canned.status ?? 200})`);
          return { id: effect.id, result: canned.error ? { ok: false, error: canned.error } : { ok: true, status: canned.status ?? 200, body: canned.body ?? null, headers: canned.headers ?? {} } };
        }
        return this.#typedAnswer(effect.id);
      }
      case 'wait':
        this.io.out(`  → wait until ${effect.until} (not waiting here)`);
        return { id: effect.id, result: { ok: true, elapsed: true } };
      case 'handoff':
        this.io.out(`  → handoff to queue "${effect.queue}" (${effect.reason}) ${JSON.stringify(effect.summary)}`);
        return null;
      case 'form':
        this.io.out(`  → form "${effect.form}" submitted ${JSON.stringify(effect.fields)}`);
        return null;
      case 'survey':
        this.io.out(`  → survey ${effect.kind} ${effect.score}${effect.comment ? ` "${effect.comment}"` : ''}`);
        return null;
      case 'start_flow':
        this.io.out(`  → start flow "${effect.flow}" (not run here)`);
        return null;
      case 'ended':
        this.io.out(`  → session ended (${effect.reason})`);
        return null;
    }
  }

  async #typedAnswer(id: string): Promise<{ id: string; result: EffectResult } | 'quit'> {
    for (;;) {
      this.io.out('    Answer as JSON: {"status": 200, "body": {...}} or {"error": "timeout"}; an empty line is 200 with {}.');
      const line = await this.#read(this.io.tty ? 'http> ' : null);
      if (line === null) return 'quit';
      if (!this.io.tty) this.io.out(`http: ${line.trim()}`);
      if (line.trim() === '') return { id, result: { ok: true, status: 200, body: {}, headers: {} } };
      try {
        const answer = JSON.parse(line) as { status?: unknown; body?: unknown; headers?: Record<string, string>; error?: unknown };
        if (typeof answer.error === 'string') return { id, result: { ok: false, error: answer.error } };
        const status = typeof answer.status === 'number' ? answer.status : 200;
        return { id, result: { ok: true, status, body: 'body' in answer ? answer.body : answer, headers: answer.headers ?? {} } };
      } catch (error) {
        this.io.out(`    Not JSON (${(error as Error).message}); try again.`);
      }
    }
  }

  #message(text: string): CustomerMessage | string {
    const number = /^\d{1,2}$/.test(text) ? Number(text) : null;
    const choice = number !== null ? this.#choices[number - 1] : undefined;
    if (choice) return { kind: 'reply', id: choice.id, title: choice.title };
    const location = /^\/location\s+(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)(?:\s+(.+))?$/.exec(text);
    if (location) return { kind: 'location', latitude: Number(location[1]), longitude: Number(location[2]), ...(location[3] ? { name: location[3] } : {}) };
    const media = /^\/media\s+(image|document|audio|video|sticker)(?:\s+(.+))?$/.exec(text);
    if (media) return { kind: 'media', media_type: media[1] ?? 'image', media_id: `local-${Date.now()}`, ...(media[2] ? { caption: media[2] } : {}) };
    if (text.startsWith('/')) return `unknown command ${text.split(/\s/)[0]}: /location LAT,LNG, /media TYPE, /timeout, /vars, /restart, /quit`;
    return { kind: 'text', text };
  }

  async #read(prompt: string | null): Promise<string | null> {
    if (prompt) this.io.prompt(prompt);
    const next = await this.#lines.next();
    return next.done ? null : next.value;
  }
}

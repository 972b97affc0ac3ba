import type { MenuOption, Step } from '../document/index.js';
import { truthy } from './expressions.js';
import { buttonsMessage, choicesMessage, listMessage, menuPages, MORE_ID, type Choice } from './render.js';
import { MAX_STEPS_PER_EVENT, type Run } from './run.js';

type StepOf<T extends Step['type']> = Extract<Step, { type: T }>;

/** Stop here: a step waits, or the session ended. */
export const STOP: unique symbol = Symbol('stop');
/** Where to go after a step ran: a step id, the flow's end (null), or STOP. */
export type Next = string | null | typeof STOP;

/**
 * Runs steps from `stepId` until one waits (for the customer, an effect or a timer) or the
 * session ends. A flow that runs more than MAX_STEPS_PER_EVENT steps without waiting is a loop:
 * it ends (`ended` reason `loop`).
 */
export async function advance(run: Run, stepId: string | null): Promise<void> {
  if (!run.state) return;
  run.session.waiting = null;
  let id: Next = stepId;
  while (run.state) {
    if (id === STOP) return;
    if (id === null) {
      run.end('end');
      return;
    }
    if (++run.steps > MAX_STEPS_PER_EVENT) {
      run.warn(id, `stopped after ${MAX_STEPS_PER_EVENT} steps without waiting for the customer: the flow loops (check its goto, next and condition steps)`);
      run.end('loop');
      return;
    }
    const step = run.step(id);
    if (!step) {
      run.warn(id, `no step "${id}" in flow "${run.flow.name}"`);
      run.end('error');
      return;
    }
    id = await enter(run, step);
  }
}

async function enter(run: Run, step: Step): Promise<Next> {
  switch (step.type) {
    case 'send':
      if (!run.mustSend(step)) return STOP;
      run.send((await run.deep(step.id, step.message, 'drop')) as typeof step.message);
      return run.after(step);
    case 'send_template': {
      const components = step.template.components ? await run.deep(step.id, step.template.components, 'drop') : undefined;
      run.send({ type: 'template', template: { name: step.template.name, language: { code: step.template.language }, ...(components ? { components } : {}) } });
      return run.after(step);
    }
    case 'menu':
      if (!run.mustSend(step)) return STOP;
      await showMenu(run, step, 0);
      run.wait({ kind: 'menu', step: step.id, tries: 0, page: 0 });
      return STOP;
    case 'ask':
      if (!run.mustSend(step)) return STOP;
      await askQuestion(run, step);
      run.wait({ kind: 'ask', step: step.id, tries: 0 });
      return STOP;
    case 'set':
      for (const [name, expression] of Object.entries(step.values)) {
        const result = await run.evaluate(expression);
        if (!result.ok) run.warn(step.id, `vars.${name} := ${expression}: ${result.error} (set to null)`);
        run.session.vars[name] = result.ok ? (result.value ?? null) : null;
      }
      return run.after(step);
    case 'condition':
      for (const branch of step.branches) {
        const result = await run.evaluate(branch.if);
        if (!result.ok) run.warn(step.id, `condition ${branch.if}: ${result.error} (counted as false)`);
        else if (truthy(result.value)) return branch.goto;
      }
      return step.else ?? run.after(step);
    case 'http':
      return startHttp(run, step);
    case 'search':
      return enterSearch(run, step);
    case 'intent':
      return enterIntent(run, step);
    case 'wait': {
      const id = run.effectId();
      const until = new Date(run.context.now.getTime() + step.duration_ms).toISOString();
      run.effects.push({ type: 'wait', id, step: step.id, until });
      run.wait({ kind: 'effect', step: step.id, effect_id: id });
      return STOP;
    }
    case 'goto':
      if (step.flow) {
        run.info(step.id, `goes on in flow "${step.flow}"`);
        run.end('goto_flow');
        run.effects.push({ type: 'start_flow', flow: step.flow });
        return STOP;
      }
      return step.step ?? run.after(step);
    case 'handoff':
      await run.handoff(step.id, step.queue ?? run.flow.settings.default_queue, 'handoff_step', step.text, step.summary);
      return STOP;
    case 'form': {
      const vars = run.session.vars;
      run.effects.push({ type: 'form', form: step.form, fields: Object.fromEntries(step.fields.map((name) => [name, vars[name] ?? null])) });
      run.info(step.id, `form "${step.form}" submitted`);
      return run.after(step);
    }
    case 'survey':
      if (!run.mustSend(step)) return STOP;
      await askScore(run, step);
      run.wait({ kind: 'survey', step: step.id, phase: 'score', tries: 0 });
      return STOP;
    case 'end':
      if (step.text && run.context.windowOpen) await run.say(step.id, step.text);
      else if (step.text) run.warn(step.id, 'the end text was not sent: the 24 h window is closed');
      run.end('end');
      return STOP;
  }
}

/** Shows page `page` of a menu: buttons, a list, or a page of a long list with a "more" row. */
export async function showMenu(run: Run, step: StepOf<'menu'>, page: number): Promise<void> {
  const body = await run.text(step.id, step.text);
  const decoration = { header: step.header ? await run.text(step.id, step.header) : undefined, footer: step.footer ? await run.text(step.id, step.footer) : undefined };
  const pages = menuPages(step.options);
  const shown = pages[Math.min(page, pages.length - 1)] ?? [];
  const choices: Choice[] = await Promise.all(shown.map(async (option) => ({ id: option.id, title: await run.text(step.id, option.title), ...(option.description ? { description: await run.text(step.id, option.description) } : {}) })));
  const { list_button: listButton, more } = run.flow.settings.texts;
  if (pages.length === 1) {
    run.send(choicesMessage(body, choices, listButton, decoration));
  } else {
    const rows = page < pages.length - 1 ? [...choices, { id: MORE_ID, title: more }] : choices;
    run.send(listMessage(body, listButton, rows, decoration));
  }
}

/** The options shown on a menu page (typed numbers count on the page the customer sees). */
export function menuPage(step: StepOf<'menu'>, page: number): MenuOption[] {
  const pages = menuPages(step.options);
  return pages[Math.min(page, pages.length - 1)] ?? [];
}

export function menuPageCount(step: StepOf<'menu'>): number {
  return menuPages(step.options).length;
}

/** Sends an ask step's question: yes/no as two buttons, a choice as buttons or a list, else text. */
export async function askQuestion(run: Run, step: StepOf<'ask'>): Promise<void> {
  const body = await run.text(step.id, step.text);
  if (step.input === 'yes_no') {
    run.send(buttonsMessage(body, [{ id: 'yes', title: run.phrases.yes }, { id: 'no', title: run.phrases.no }]));
  } else if (step.input === 'choice' && step.choices && step.choices.length > 0) {
    run.send(choicesMessage(body, step.choices.map((title, i) => ({ id: `choice:${i}`, title })), run.flow.settings.texts.list_button));
  } else if (body.trim() !== '') {
    await run.say(step.id, body);
  }
}

/** A survey's question: CSAT 1–5 as a list; NPS 0–10 as text (11 answers do not fit a list of 10 rows), typed numbers accepted. */
export async function askScore(run: Run, step: StepOf<'survey'>): Promise<void> {
  const body = await run.text(step.id, step.text);
  if (step.kind === 'csat') {
    const labels = run.phrases.csat_labels;
    const rows = ([5, 4, 3, 2, 1] as const).map((score) => ({ id: `survey:${score}`, title: labels[score] }));
    run.send(listMessage(body, run.flow.settings.texts.list_button, rows));
  } else {
    await run.say(step.id, body);
  }
}

async function startHttp(run: Run, step: StepOf<'http'>): Promise<Next> {
  const url = await run.url(step.id, step.url);
  const headers = (await run.deep(step.id, step.headers, 'keep')) as Record<string, unknown>;
  const body = step.body === undefined ? undefined : await run.deep(step.id, step.body, 'keep');
  const id = run.effectId();
  run.effects.push({
    type: 'http',
    id,
    step: step.id,
    request: {
      method: step.method,
      url,
      // A line break in a header value would split the request: values from answers lose theirs.
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, (typeof value === 'string' ? value : JSON.stringify(value)).replace(/[\r\n]+/g, ' ')])),
      ...(body === undefined ? {} : { body }),
      timeout_ms: step.timeout_ms,
      retries: step.retries,
    },
  });
  run.wait({ kind: 'effect', step: step.id, effect_id: id });
  return STOP;
}

async function enterSearch(run: Run, step: StepOf<'search'>): Promise<Next> {
  // The default query is the customer's message: one a menu or question already took is not a query.
  const query = step.query.trim() === '{{input}}' && !run.fresh ? '' : await run.text(step.id, step.query);
  if (query.trim() === '') {
    if (!run.mustSend(step)) return STOP;
    await run.say(step.id, step.text);
    run.wait({ kind: 'search', step: step.id, results: [] });
    return STOP;
  }
  run.fresh = false;
  return searchFor(run, step, query);
}

/** Searches the step's catalogue and shows the results as a list, or says nothing was found. */
export async function searchFor(run: Run, step: StepOf<'search'>, query: string): Promise<Next> {
  const catalog = run.flow.catalogs[step.catalog] ?? [];
  const byId = new Map(catalog.map((item) => [item.id, item]));
  if (!run.context.search) run.warn(step.id, 'no catalogue search is available: nothing found');
  const found = (run.context.search?.(step.catalog, query, step.max_results) ?? []).flatMap((hit) => byId.get(hit.id) ?? []).slice(0, Math.min(step.max_results, 10));
  run.info(step.id, `searched "${step.catalog}" for "${query}": ${found.length} result(s)`);
  if (found.length === 0) {
    if (step.on_empty) return step.on_empty;
    if (!run.mustSend(step)) return STOP;
    await run.say(step.id, run.phrases.not_found);
    run.wait({ kind: 'search', step: step.id, results: [] });
    return STOP;
  }
  if (!run.mustSend(step)) return STOP;
  const body = (await run.text(step.id, step.text)) || query;
  run.send(listMessage(body, run.flow.settings.texts.list_button, found.map((item) => ({ id: item.id, title: item.title, ...(item.description ? { description: item.description } : {}) }))));
  run.wait({ kind: 'search', step: step.id, results: found.map((item) => ({ id: item.id, title: item.title })) });
  return STOP;
}

async function enterIntent(run: Run, step: StepOf<'intent'>): Promise<Next> {
  if (step.text) {
    if (!run.mustSend(step)) return STOP;
    await run.say(step.id, step.text);
    run.fresh = false;
  }
  // Without a question, a message that led here unanswered (a trigger's) is classified at once: see runEngine.
  run.wait({ kind: 'intent', step: step.id });
  return STOP;
}

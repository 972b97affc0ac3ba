import type { Intent, MenuOption, Step } from '../document/index.js';
import { fold, matchUnique, wholeNumber } from './fold.js';
import { buttonsMessage, MORE_ID } from './render.js';
import type { Run } from './run.js';
import { advance, askQuestion, askScore, menuPage, menuPageCount, searchFor, showMenu, STOP } from './steps.js';
import type { CustomerMessage, NluResult, Waiting } from './types.js';
import { DEFAULT_TIME_ZONE, validateAnswer } from './validators.js';

type StepOf<T extends Step['type']> = Extract<Step, { type: T }>;
type WaitingOf<K extends Waiting['kind']> = Extract<Waiting, { kind: K }>;

/**
 * Handles a customer's message at the step that waits for it. While an effect runs the message
 * is queued (handled when the result comes back, see runEngine).
 */
export async function handleMessage(run: Run, message: CustomerMessage): Promise<void> {
  const session = run.session;
  run.receive(message);
  const waiting = session.waiting;
  if (!waiting) {
    run.warn(null, 'a customer message arrived while no step waits for one: ignored');
    return;
  }
  switch (waiting.kind) {
    case 'effect':
      session.queued.push(message);
      run.info(waiting.step, 'customer message queued until the running step finishes');
      return;
    case 'menu':
      return answerMenu(run, waiting, message);
    case 'ask':
      return answerAsk(run, waiting, message);
    case 'intent': {
      const step = stepOf(run, waiting.step, 'intent');
      if (step) await routeIntent(run, step);
      return;
    }
    case 'did_you_mean':
      return answerDidYouMean(run, waiting, message);
    case 'search':
      return answerSearch(run, waiting, message);
    case 'survey':
      return answerSurvey(run, waiting, message);
  }
}

function stepOf<T extends Step['type']>(run: Run, id: string, type: T): StepOf<T> | null {
  const step = run.step(id);
  if (step?.type === type) return step as StepOf<T>;
  run.warn(id, `the session waits at "${id}", which is no longer a ${type} step of flow "${run.flow.name}"`);
  run.end('error');
  return null;
}

async function answerMenu(run: Run, waiting: WaitingOf<'menu'>, message: CustomerMessage): Promise<void> {
  const step = stepOf(run, waiting.step, 'menu');
  if (!step) return;
  const titles = (option: MenuOption) => [option.title, ...option.synonyms];
  const pages = menuPageCount(step);
  const more = pages > 1 && (message.kind === 'reply' ? message.id === MORE_ID : message.kind === 'text' && fold(message.text) === fold(run.flow.settings.texts.more));
  if (more) {
    const page = (waiting.page + 1) % pages;
    run.session.waiting = { ...waiting, page };
    run.fresh = false;
    await showMenu(run, step, page);
    return;
  }
  let option: MenuOption | null = null;
  if (message.kind === 'reply') {
    option = step.options.find((candidate) => candidate.id === message.id) ?? matchUnique(message.title, step.options, titles, { fuzzy: false });
  } else if (message.kind === 'text') {
    // A number or an exact title is the answer; a global intent beats a near match.
    const shown = menuPage(step, waiting.page);
    const number = wholeNumber(message.text);
    option = number !== null && number >= 1 ? (shown[number - 1] ?? null) : null;
    option ??= matchUnique(message.text, step.options, titles, { fuzzy: false });
    if (!option && (await globalIntent(run, message))) return;
    option ??= matchUnique(message.text, step.options, titles, { fuzzy: true });
  }
  if (!option) {
    await refuse(run, step, waiting, run.phrases.pick_option, async () => showMenu(run, step, waiting.page));
    return;
  }
  run.fresh = false;
  if (step.var) run.session.vars[step.var] = option.value ?? option.id;
  run.info(step.id, `chose "${option.title}"`);
  await advance(run, option.goto ?? run.after(step));
}

async function answerAsk(run: Run, waiting: WaitingOf<'ask'>, message: CustomerMessage): Promise<void> {
  const step = stepOf(run, waiting.step, 'ask');
  if (!step) return;
  // Free text accepts anything, so only a global intent's exact phrase ("menu") escapes it.
  if (step.input === 'text' && message.kind === 'text') {
    const intent = exactGlobalPhrase(run, message.text);
    if (intent) return performGlobal(run, intent);
  }
  const result = validateAnswer(step.input, message, {
    language: run.flow.language,
    now: run.context.now,
    timeZone: run.context.timeZone ?? DEFAULT_TIME_ZONE,
    min: step.min,
    max: step.max,
    choices: step.choices,
    media_types: step.media_types,
  });
  if (result.ok) {
    run.fresh = false;
    run.session.vars[step.var] = result.value;
    run.info(step.id, `vars.${step.var} answered`);
    await advance(run, run.after(step));
    return;
  }
  if (await globalIntent(run, message)) return;
  await refuse(run, step, waiting, result.reason, async () => {
    if (!step.retry_text) await askQuestion(run, step);
  });
}

/**
 * An answer that did not fit: the re-prompt (`retry_text`, or `settings.texts.invalid` and the
 * question again), or, after `max_tries` re-prompts, `on_fail` (default: hand off, `gave_up`).
 */
async function refuse(run: Run, step: StepOf<'menu'> | StepOf<'ask'>, waiting: WaitingOf<'menu'> | WaitingOf<'ask'>, reason: string, reprompt: () => Promise<void>): Promise<void> {
  const tries = waiting.tries + 1;
  run.fresh = false;
  if (tries > step.max_tries) {
    run.info(step.id, `gave up after ${tries} answers that did not fit`);
    await fail(run, step.id, step.on_fail);
    return;
  }
  run.session.waiting = { ...waiting, tries };
  run.info(step.id, `answer refused (${tries} of ${step.max_tries} re-prompts): ${reason}`);
  const retry = step.type === 'ask' && step.retry_text ? step.retry_text : run.flow.settings.texts.invalid;
  await run.say(step.id, retry, { reason });
  await reprompt();
}

async function fail(run: Run, stepId: string, onFail: string | undefined): Promise<void> {
  if (onFail) await advance(run, onFail);
  else await run.handoff(stepId, run.flow.settings.default_queue, 'gave_up', run.flow.settings.texts.handoff);
}

/** Routes the message at an intent step: a reply id or intent with a route, a global intent, or a miss. */
export async function routeIntent(run: Run, step: StepOf<'intent'>): Promise<void> {
  const message = run.message;
  if (message?.kind === 'reply' && step.routes[message.id]) return route(run, step, message.id);
  const nlu = await run.classify();
  if (nlu?.intent && nlu.score >= run.flow.settings.nlu_threshold) {
    if (step.routes[nlu.intent]) return route(run, step, nlu.intent);
    const intent = run.flow.intents.find((candidate) => candidate.global && candidate.name === nlu.intent);
    if (intent) return performGlobal(run, intent);
  }
  await miss(run, step, nlu);
}

async function route(run: Run, step: StepOf<'intent'>, intent: string): Promise<void> {
  run.session.misses = 0;
  run.fresh = false;
  run.info(step.id, `understood "${intent}"`);
  await advance(run, step.routes[intent] ?? null);
}

/**
 * Not understood: "did you mean…?" with the closest intents as buttons, or after
 * `settings.max_misses` misses in a row the step's fallback (default: hand off, `not_understood`).
 */
async function miss(run: Run, step: StepOf<'intent'> | null, nlu: NluResult | null): Promise<void> {
  const session = run.session;
  const { max_misses: maxMisses, default_queue: queue, texts } = run.flow.settings;
  session.misses += 1;
  run.fresh = false;
  run.info(step?.id ?? null, `not understood (${session.misses} in a row)`);
  if (maxMisses > 0 && session.misses >= maxMisses) {
    session.misses = 0;
    if (step?.fallback) await advance(run, step.fallback);
    else await run.handoff(step?.id ?? null, queue, 'not_understood', texts.handoff);
    return;
  }
  const offered = (nlu?.ranking ?? [])
    .filter((entry) => entry.score > 0)
    .map((entry) => run.flow.intents.find((intent) => intent.name === entry.intent))
    .filter((intent): intent is Intent => intent !== undefined && (intent.global || step?.routes[intent.name] !== undefined))
    .slice(0, 3);
  if (offered.length === 0) {
    await run.say(step?.id ?? null, run.phrases.not_understood);
    return;
  }
  const body = await run.text(step?.id ?? null, texts.did_you_mean);
  run.send(buttonsMessage(body, offered.map((intent) => ({ id: `intent:${intent.name}`, title: intent.title ?? intent.name }))));
  session.waiting = { kind: 'did_you_mean', step: step?.id ?? null, intents: offered.map((intent) => intent.name) };
}

async function answerDidYouMean(run: Run, waiting: WaitingOf<'did_you_mean'>, message: CustomerMessage): Promise<void> {
  const step = waiting.step ? stepOf(run, waiting.step, 'intent') : null;
  if (waiting.step && !step) return;
  const offered = waiting.intents.map((name) => run.flow.intents.find((intent) => intent.name === name) ?? { name, title: name });
  let chosen: string | null = null;
  if (message.kind === 'reply' && message.id.startsWith('intent:')) chosen = waiting.intents.find((name) => `intent:${name}` === message.id) ?? null;
  else if (message.kind === 'text' || message.kind === 'reply') {
    const text = message.kind === 'text' ? message.text : message.title;
    const number = wholeNumber(text);
    chosen = number !== null ? (waiting.intents[number - 1] ?? null) : (matchUnique(text, offered, (intent) => [intent.title ?? intent.name], { fuzzy: false })?.name ?? null);
  }
  if (chosen) {
    if (step?.routes[chosen]) return route(run, step, chosen);
    const intent = run.flow.intents.find((candidate) => candidate.global && candidate.name === chosen);
    if (intent) return performGlobal(run, intent);
  }
  // Anything else is a new try at the question.
  if (step) {
    run.session.waiting = { kind: 'intent', step: step.id };
    return routeIntent(run, step);
  }
  if (await globalIntent(run, message)) return;
  await miss(run, null, run.nlu ?? null);
}

async function answerSearch(run: Run, waiting: WaitingOf<'search'>, message: CustomerMessage): Promise<void> {
  const step = stepOf(run, waiting.step, 'search');
  if (!step) return;
  let picked = message.kind === 'reply' ? (waiting.results.find((result) => result.id === message.id) ?? null) : null;
  const text = message.kind === 'text' ? message.text : message.kind === 'reply' ? message.title : null;
  if (!picked && text !== null && waiting.results.length > 0) {
    const number = wholeNumber(text);
    picked = number !== null ? (waiting.results[number - 1] ?? null) : matchUnique(text, waiting.results, (result) => [result.title], { fuzzy: false });
  }
  if (picked) {
    const item = run.flow.catalogs[step.catalog]?.find((candidate) => candidate.id === picked.id);
    run.fresh = false;
    run.session.vars[step.var] = { id: picked.id, title: picked.title, answer: item?.answer ?? null, data: item?.data ?? {} };
    run.info(step.id, `picked "${picked.title}"`);
    if (item?.answer) {
      run.item = item;
      await run.say(step.id, item.answer);
      run.item = null;
    }
    await advance(run, run.after(step));
    return;
  }
  if (text === null) {
    run.info(step.id, `a ${message.kind} message is no search: ignored`);
    return;
  }
  if (message.kind === 'text' && (await globalIntent(run, message))) return;
  // Any other text is a new search.
  run.fresh = false;
  const next = await searchFor(run, step, text);
  if (next !== STOP) await advance(run, next);
}

async function answerSurvey(run: Run, waiting: WaitingOf<'survey'>, message: CustomerMessage): Promise<void> {
  const step = stepOf(run, waiting.step, 'survey');
  if (!step) return;
  run.fresh = false;
  if (waiting.phase === 'comment') {
    // Only a text is a comment; the Skip button, a skip word or anything else leaves none.
    const comment = message.kind === 'text' && !run.phrases.skip_words.includes(fold(message.text)) ? message.text.trim() : null;
    return finishSurvey(run, step, waiting.score ?? null, comment);
  }
  const [min, max] = step.kind === 'csat' ? [1, 5] : [0, 10];
  const score = readScore(message, step.kind);
  if (score !== null && score >= min && score <= max) {
    if (!step.comment) return finishSurvey(run, step, score, null);
    run.session.waiting = { ...waiting, phase: 'comment', tries: 0, score };
    const prompt = await run.text(step.id, step.comment_text ?? run.phrases.comment);
    run.send(buttonsMessage(prompt, [{ id: 'survey:skip', title: run.phrases.skip }]));
    return;
  }
  if (message.kind === 'text' && (await globalIntent(run, message))) return;
  const tries = waiting.tries + 1;
  if (tries > SURVEY_TRIES) {
    run.info(step.id, 'the survey got no score: going on without one');
    await advance(run, run.after(step));
    return;
  }
  run.session.waiting = { ...waiting, tries };
  const reason = run.phrases.score_range.replace('{min}', String(min)).replace('{max}', String(max));
  await run.say(step.id, run.flow.settings.texts.invalid, { reason });
  await askScore(run, step);
}

/** Re-prompts a survey gives before going on without a score. */
const SURVEY_TRIES = 2;

async function finishSurvey(run: Run, step: StepOf<'survey'>, score: number | null, comment: string | null): Promise<void> {
  if (score !== null) {
    run.effects.push({ type: 'survey', kind: step.kind, score, comment });
    run.info(step.id, `survey answered: ${score}${comment ? ' with a comment' : ''}`);
  }
  await run.say(step.id, step.thanks ?? run.phrases.thanks);
  await advance(run, run.after(step));
}

/** A score from a row tap (`survey:4`), a message with exactly one number ("nota 9"), or CSAT stars. */
function readScore(message: CustomerMessage, kind: 'csat' | 'nps'): number | null {
  if (message.kind === 'reply') {
    const tapped = /^survey:(\d+)$/.exec(message.id);
    if (tapped) return Number(tapped[1]);
  }
  const text = message.kind === 'text' ? message.text.trim() : message.kind === 'reply' ? message.title.trim() : '';
  if (kind === 'csat' && /^(?:⭐\uFE0F?){1,5}$/u.test(text)) return [...text.matchAll(/⭐/gu)].length;
  const numbers = text.match(/\d+/g) ?? [];
  return numbers.length === 1 ? Number(numbers[0]) : null;
}

/** A global intent the (text) message is, above the threshold: done, answering true. */
async function globalIntent(run: Run, message: CustomerMessage): Promise<boolean> {
  if (message.kind !== 'text' || !run.flow.intents.some((intent) => intent.global)) return false;
  const nlu = await run.classify();
  if (!nlu?.intent || nlu.score < run.flow.settings.nlu_threshold) return false;
  const intent = run.flow.intents.find((candidate) => candidate.global && candidate.name === nlu.intent);
  if (!intent) return false;
  await performGlobal(run, intent);
  return true;
}

function exactGlobalPhrase(run: Run, text: string): Intent | undefined {
  const typed = fold(text);
  return run.flow.intents.find((intent) => intent.global && Object.values(intent.phrases).some((phrases) => phrases?.some((phrase) => fold(phrase) === typed)));
}

/** A global intent's goto or action: menu (the start), back (the previous waiting step), handoff, end. */
async function performGlobal(run: Run, intent: Intent): Promise<void> {
  const session = run.session;
  const waiting = session.waiting;
  const at = waiting && 'step' in waiting ? waiting.step : null;
  session.misses = 0;
  run.fresh = false;
  run.info(at, `global intent "${intent.name}"`);
  if (intent.goto) return advance(run, intent.goto);
  switch (intent.action) {
    case 'menu':
      return advance(run, run.flow.start);
    case 'back': {
      if (at && session.trail.at(-1) === at) session.trail.pop();
      return advance(run, session.trail.pop() ?? run.flow.start);
    }
    case 'handoff':
      return run.handoff(at, run.flow.settings.default_queue, 'global_intent', run.flow.settings.texts.handoff);
    case 'end':
      run.end('end');
      return;
    default:
      run.warn(at, `the global intent "${intent.name}" has neither goto nor action: ignored`);
  }
}

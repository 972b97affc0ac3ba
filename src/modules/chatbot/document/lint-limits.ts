/**
 * The rules a schema cannot say alone: WhatsApp's limits where they depend on how a step is
 * shown (3 options or fewer are reply buttons, more are list rows), the interactive messages of
 * send steps, what an http step may call and send, and fields that only make sense together
 * (an ask's choices, min and max).
 */
import { characterCount, error, quote, warning, type Finding, type PathSegments } from './problem.js';
import type { FlowDocument, Step } from './types.js';

type Raw = Record<string, unknown>;

/** WhatsApp's interactive message limits (Cloud API), in characters. */
export const WHATSAPP_LIMITS = { buttons: 3, buttonTitle: 20, listButton: 20, rows: 10, rowTitle: 24, rowDescription: 72, body: 1024, header: 60, footer: 60, text: 4096 } as const;

/** Headers the platform sets itself or that would change how the request travels. */
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-authorization', 'proxy-connection']);

export function lintLimits(flow: FlowDocument): Finding[] {
  const findings: Finding[] = [];
  flow.steps.forEach((step, index) => lintStep(step, ['steps', index], findings));
  for (const [name, items] of Object.entries(flow.catalogs)) {
    items.forEach((item, index) => {
      tooLong(findings, 'limits.row-title', ['catalogs', name, index, 'title'], item.title, WHATSAPP_LIMITS.rowTitle, 'A search result is a list row');
      if (item.description !== undefined) tooLong(findings, 'limits.row-description', ['catalogs', name, index, 'description'], item.description, WHATSAPP_LIMITS.rowDescription, 'A list row\'s description');
    });
  }
  return findings;
}

function lintStep(step: Step, at: PathSegments, findings: Finding[]): void {
  switch (step.type) {
    case 'menu': {
      const asButtons = step.options.length <= WHATSAPP_LIMITS.buttons;
      step.options.forEach((option, position) => {
        const place: PathSegments = [...at, 'options', position];
        if (asButtons) {
          tooLong(findings, 'limits.button-title', [...place, 'title'], option.title, WHATSAPP_LIMITS.buttonTitle, `With ${step.options.length} option${step.options.length === 1 ? '' : 's'} the menu shows reply buttons, and a button title`, 'or add options: 4 or more are shown as a list, whose rows fit 24');
        } else {
          tooLong(findings, 'limits.row-title', [...place, 'title'], option.title, WHATSAPP_LIMITS.rowTitle, `With ${step.options.length} options the menu is a list, and a row title`);
        }
        if (option.description !== undefined) tooLong(findings, 'limits.row-description', [...place, 'description'], option.description, WHATSAPP_LIMITS.rowDescription, 'A list row\'s description');
      });
      break;
    }
    case 'ask':
      lintAsk(step, at, findings);
      break;
    case 'send':
      lintSendMessage(step.message, [...at, 'message'], findings);
      break;
    case 'http':
      lintHttp(step, at, findings);
      break;
    case 'end':
    case 'handoff':
      if (step.next !== undefined) findings.push(warning('step.next-unused', [...at, 'next'], `${step.type === 'end' ? 'An' : 'A'} ${step.type} step ends the bot's part, so its next is never used.`, 'Remove next (after a handoff, people take over; after an end, the session is over).'));
      break;
    case 'goto':
      if (step.next !== undefined) findings.push(warning('step.next-unused', [...at, 'next'], 'A goto step always jumps, so its next is never used.', 'Remove next, or make it the goto\'s step.'));
      break;
    default:
      break;
  }
}

function lintAsk(step: Extract<Step, { type: 'ask' }>, at: PathSegments, findings: Finding[]): void {
  if (step.input === 'choice' && step.choices === undefined) findings.push(error('ask.choices-missing', at, 'An ask step with input choice needs "choices".', 'Add choices: the accepted answers, e.g. choices: [P, M, G]; or use a menu step to show them as buttons.'));
  if (step.input !== 'choice' && step.choices !== undefined) findings.push(error('ask.choices-unused', [...at, 'choices'], `choices only apply to input choice; this step's input is ${step.input}.`, 'Write input: choice, or remove choices.'));
  const bounded = step.input === 'number' || step.input === 'text';
  for (const key of ['min', 'max'] as const) {
    if (step[key] !== undefined && !bounded) findings.push(error('ask.bounds-unused', [...at, key], `${key} only applies to input number (its value) or text (its length); this step's input is ${step.input}.`, `Remove ${key}, or write input: number (or text) if that is what the step asks.`));
  }
  if (step.min !== undefined && step.max !== undefined && step.min > step.max) findings.push(error('ask.bounds-order', [...at, 'min'], `min (${step.min}) is larger than max (${step.max}): no answer is valid.`, 'Swap them, or correct one.'));
  if (step.media_types !== undefined && step.input !== 'media') findings.push(error('ask.media-types-unused', [...at, 'media_types'], `media_types only apply to input media; this step's input is ${step.input}.`, 'Write input: media, or remove media_types.'));
}

/** An interactive or text message of a send step, against WhatsApp's limits. */
function lintSendMessage(message: Raw, at: PathSegments, findings: Finding[]): void {
  const type = String(message.type);
  const content = message[type];
  if (content === null || typeof content !== 'object' || Array.isArray(content)) {
    findings.push(error('send.message-content', at, `The message has type ${type} but no "${type}" object.`, `Add ${type}: {...} with the Cloud API's fields for a ${type} message (docs/messaging.md).`));
    return;
  }
  const body = content as Raw;
  if (type === 'text' && typeof body.body === 'string') tooLong(findings, 'limits.text', [...at, 'text', 'body'], body.body, WHATSAPP_LIMITS.text, 'A text message');
  if (type !== 'interactive') return;
  const place: PathSegments = [...at, 'interactive'];
  const text = (key: string) => (body[key] as Raw | undefined)?.text;
  if (typeof text('body') === 'string') tooLong(findings, 'limits.body', [...place, 'body', 'text'], text('body') as string, WHATSAPP_LIMITS.body, 'An interactive message\'s body');
  if (typeof text('header') === 'string') tooLong(findings, 'limits.header', [...place, 'header', 'text'], text('header') as string, WHATSAPP_LIMITS.header, 'A header');
  if (typeof text('footer') === 'string') tooLong(findings, 'limits.footer', [...place, 'footer', 'text'], text('footer') as string, WHATSAPP_LIMITS.footer, 'A footer');
  const action = (body.action ?? {}) as Raw;
  if (body.type === 'button' && Array.isArray(action.buttons)) {
    const buttons = action.buttons as Raw[];
    if (buttons.length > WHATSAPP_LIMITS.buttons) {
      findings.push(error('limits.buttons', [...place, 'action', 'buttons'], `The message has ${buttons.length} reply buttons; WhatsApp shows at most 3.`, 'Keep 3 buttons, or use a menu step: it shows 4 to 10 options as a list and pages longer ones.'));
    }
    buttons.forEach((button, index) => {
      const title = (button.reply as Raw | undefined)?.title;
      if (typeof title === 'string') tooLong(findings, 'limits.button-title', [...place, 'action', 'buttons', index, 'reply', 'title'], title, WHATSAPP_LIMITS.buttonTitle, 'A button title');
    });
  }
  if (body.type === 'list') {
    if (typeof action.button === 'string') tooLong(findings, 'limits.list-button', [...place, 'action', 'button'], action.button, WHATSAPP_LIMITS.listButton, 'The list button');
    const sections = Array.isArray(action.sections) ? (action.sections as Raw[]) : [];
    let rows = 0;
    sections.forEach((section, sectionIndex) => {
      const sectionRows = Array.isArray(section.rows) ? (section.rows as Raw[]) : [];
      rows += sectionRows.length;
      sectionRows.forEach((row, rowIndex) => {
        const rowAt: PathSegments = [...place, 'action', 'sections', sectionIndex, 'rows', rowIndex];
        if (typeof row.title === 'string') tooLong(findings, 'limits.row-title', [...rowAt, 'title'], row.title, WHATSAPP_LIMITS.rowTitle, 'A list row title');
        if (typeof row.description === 'string') tooLong(findings, 'limits.row-description', [...rowAt, 'description'], row.description, WHATSAPP_LIMITS.rowDescription, 'A list row\'s description');
      });
    });
    if (rows > WHATSAPP_LIMITS.rows) findings.push(error('limits.rows', [...place, 'action', 'sections'], `The list has ${rows} rows; WhatsApp shows at most 10.`, 'Keep 10 rows, or use a menu step: the engine pages menus of more than 10 options.'));
  }
}

function lintHttp(step: Extract<Step, { type: 'http' }>, at: PathSegments, findings: Finding[]): void {
  if (!step.url.startsWith('{{')) {
    const probe = step.url.replace(/\{\{[^}]*\}\}/g, 'x');
    let url: URL | undefined;
    try {
      url = new URL(probe);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      findings.push(error('http.url', [...at, 'url'], `${quote(step.url)} is not an absolute http(s) URL.`, 'Write the whole address, e.g. https://api.example.com/orders/{{vars.order_id}}, or start with a placeholder that holds it, e.g. {{vars.api_base}}/orders.'));
    } else if (url.username !== '' || url.password !== '') {
      findings.push(error('http.url-credentials', [...at, 'url'], 'The URL carries a user name or password.', 'Send credentials in a header (e.g. Authorization) instead of the URL, so they are not logged with it.'));
    }
  }
  for (const [name, value] of Object.entries(step.headers)) {
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) findings.push(error('http.forbidden-header', [...at, 'headers', name], `The header ${name} is set by the platform and cannot be given.`, `Remove ${name}: the platform sets it for the URL and body it sends.`));
    if (/[\r\n\0]/.test(value)) findings.push(error('http.header-value', [...at, 'headers', name], `The value of ${name} has a line break or NUL character.`, 'Write the value on one line.'));
  }
  if (step.method === 'GET' && step.body !== undefined) findings.push(error('http.get-body', [...at, 'body'], 'A GET request cannot have a body.', 'Use method: POST (or PUT, PATCH), or move the values into the URL as query parameters.'));
}

function tooLong(findings: Finding[], rule: string, at: PathSegments, value: string, limit: number, what: string, alternative?: string): void {
  const length = characterCount(value);
  if (length <= limit) return;
  findings.push(error(rule, at, `${what} fits at most ${limit} characters; ${quote(value, 40)} has ${length}.`, `Shorten it to ${limit} characters or fewer${alternative ? `, ${alternative}` : ''}.`));
}

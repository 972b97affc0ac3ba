/**
 * The rules about the flow's small languages, checked without running anything: JSONata
 * expressions (`set.values`, `condition.branches[].if`, `http.save`) and `{{…}}` placeholders in
 * texts are parsed with the jsonata library (never evaluated), and a few constructs a flow does
 * not need and that could run away are refused ($eval, named recursive functions); names outside
 * the documented scope are a warning. Regex triggers must compile and must not backtrack
 * catastrophically.
 */
import jsonata from 'jsonata';
import { catastrophicRegex } from './regex-safety.js';
import { didYouMean, error, warning, type Finding, type PathSegments } from './problem.js';

type Raw = Record<string, unknown>;

/** What `{{…}}` placeholders and most expressions can read (docs/flows.md, "Expressions"). */
export const TEXT_SCOPE = ['vars', 'contact', 'input', 'item', 'now', 'reason'] as const;
/** What an http step's `save` expressions read: the answer. */
export const ANSWER_SCOPE = ['status', 'body', 'headers'] as const;

/** Text fields of each step type that may hold placeholders (string leaves of objects included). */
const STEP_TEXTS: Record<string, string[]> = {
  send: ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'message'],
  send_template: ['template'],
  menu: ['text', 'header', 'footer'],
  ask: ['text', 'retry_text'],
  http: ['url', 'headers', 'body'],
  search: ['query', 'text'],
  intent: ['text'],
  handoff: ['text'],
  survey: ['text', 'comment_text', 'thanks'],
  end: ['text'],
};

/** Lints the authoring document (schema-valid), so paths are exactly where the author wrote. */
export function lintExpressions(source: Raw): Finding[] {
  const findings: Finding[] = [];
  const steps = source.steps as Raw[];
  steps.forEach((step, index) => {
    const at: PathSegments = ['steps', index];
    for (const field of STEP_TEXTS[step.type as string] ?? []) {
      if (step[field] !== undefined && !(step.type === 'send_template' && field === 'template')) lintTexts(step[field], [...at, field], findings, step.type === 'http');
    }
    if (step.type === 'send_template') lintTexts((step.template as Raw).components, [...at, 'template', 'components'], findings);
    if (step.type === 'menu') {
      (step.options as unknown[]).forEach((option, position) => {
        if (typeof option === 'string') lintTexts(option, [...at, 'options', position], findings);
        else for (const key of ['title', 'description']) lintTexts((option as Raw)[key], [...at, 'options', position, key], findings);
      });
    }
    if (step.type === 'set') {
      for (const [name, value] of Object.entries(step.values as Raw)) if (typeof value === 'string') lintExpression(value, [...at, 'values', name], TEXT_SCOPE, findings);
    }
    if (step.type === 'condition') {
      (step.branches as Raw[]).forEach((branch, position) => lintExpression(branch.if as string, [...at, 'branches', position, 'if'], TEXT_SCOPE, findings));
    }
    if (step.type === 'http') {
      for (const [name, value] of Object.entries((step.save as Raw | undefined) ?? {})) lintExpression(value as string, [...at, 'save', name], ANSWER_SCOPE, findings);
    }
  });
  const texts = (source.settings as Raw | undefined)?.texts as Raw | undefined;
  for (const [key, value] of Object.entries(texts ?? {})) lintTexts(value, ['settings', 'texts', key], findings);
  for (const [name, items] of Object.entries((source.catalogs as Record<string, Raw[]> | undefined) ?? {})) {
    items.forEach((item, index) => lintTexts(item.answer, ['catalogs', name, index, 'answer'], findings));
  }
  ((source.triggers as Raw[] | undefined) ?? []).forEach((trigger, index) => {
    if (trigger.type === 'pattern') lintPattern(trigger.pattern as string, ['triggers', index, 'pattern'], findings);
  });
  return findings;
}

/** Every string inside `value` (a text, or an object or list holding texts). */
function lintTexts(value: unknown, at: PathSegments, findings: Finding[], secretsAllowed = false): void {
  if (typeof value === 'string') lintPlaceholders(value, at, findings, secretsAllowed);
  else if (Array.isArray(value)) value.forEach((item, index) => lintTexts(item, [...at, index], findings, secretsAllowed));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) lintTexts(item, [...at, key], findings, secretsAllowed);
}

/** How an http step names a secret: `{{secrets.NAME}}` alone in its braces (the runtime fills exactly that form). */
const SECRET_PLACEHOLDER = /^\s*secrets\.[A-Z][A-Z0-9_]{0,63}\s*$/;

/**
 * Whether a placeholder's expression (what is between `{{` and `}}`) names a secret the runtime
 * fills in at the HTTP call: the engine leaves such placeholders as they are.
 */
export function isSecretPlaceholder(expression: string): boolean {
  return SECRET_PLACEHOLDER.test(expression);
}

/** The `{{expression}}` placeholders of a text, as the engine finds them. */
export function placeholders(text: string): { expressions: string[]; unclosed: boolean } {
  const expressions: string[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) return { expressions, unclosed: false };
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return { expressions, unclosed: true };
    expressions.push(text.slice(open + 2, close));
    from = close + 2;
  }
}

function lintPlaceholders(text: string, at: PathSegments, findings: Finding[], secretsAllowed: boolean): void {
  const found = placeholders(text);
  for (const expression of found.expressions) {
    if (secretsAllowed && isSecretPlaceholder(expression)) continue;
    if (expression.trim() === '') {
      findings.push(error('expression.empty-placeholder', at, 'The text has an empty placeholder {{}}.', 'Write what to show between the braces, e.g. {{vars.name}}, or remove them.'));
    } else {
      lintExpression(expression, at, TEXT_SCOPE, findings, { inText: true, secretsAllowed });
    }
  }
  if (found.unclosed) findings.push(error('expression.unclosed-placeholder', at, 'The text opens a placeholder with {{ and never closes it.', 'Close it with }}: a placeholder is {{expression}}, e.g. {{contact.name}}.'));
}

function lintExpression(expression: string, at: PathSegments, scope: readonly string[], findings: Finding[], { inText = false, secretsAllowed = false } = {}): void {
  const shown = inText ? `{{${cut(expression)}}}` : JSON.stringify(cut(expression));
  let ast: unknown;
  try {
    ast = jsonata(expression).ast();
  } catch (thrown) {
    const failure = thrown as { code?: string; position?: number; token?: string; message?: string };
    const position = typeof failure.position === 'number' ? failure.position : expression.length;
    const marked = `${position > 40 ? '…' : ''}${expression.slice(Math.max(0, position - 40), position)}⟨here⟩${expression.slice(position, position + 20)}${position + 20 < expression.length ? '…' : ''}`;
    findings.push(error('expression.syntax', at, `The expression ${shown} does not parse: ${failure.message ?? 'syntax error'} (at ${marked}).`, syntaxFix(failure.code, failure.token)));
    return;
  }
  for (const refusal of refusals(ast)) findings.push(error('expression.refused', at, `The expression ${shown} ${refusal}.`, 'Flows may not evaluate text as code or define named functions: write the logic with the built-in functions ($count, $sum, $contains, $map…) and set steps.'));
  for (const name of rootNames(ast)) {
    if (scope.includes(name)) continue;
    if (name === 'secrets') {
      findings.push(
        secretsAllowed
          ? error('expression.secret-form', at, `The placeholder ${shown} uses a secret inside an expression or with a lower-case name; only {{secrets.NAME}} alone, NAME in upper case, is filled in.`, 'Write the secret alone in its braces, e.g. Authorization: Bearer {{secrets.API_TOKEN}} (POST /api/v1/flow-secrets {"name": "API_TOKEN", ...} sets it).')
          : error('expression.secret-outside-http', at, `The expression ${shown} reads a secret outside an http step's url, headers and body, where it could reach the customer or a variable.`, "Use {{secrets.NAME}} only in an http step's url, headers or body: the platform fills it in just before the call."),
      );
      continue;
    }
    findings.push(warning('expression.unknown-name', at, `The expression ${shown} reads "${name}", which is not in scope here${didYouMean(name, scope)}; it will be empty.`, `Start with one of: ${scope.join(', ')} (e.g. vars.${name} for a variable).`));
  }
}

/** An expression as a message shows it: at most 80 characters. */
function cut(expression: string): string {
  return expression.length > 80 ? `${expression.slice(0, 80)}…` : expression;
}

function syntaxFix(code: string | undefined, token: string | undefined): string {
  switch (code) {
    case 'S0101':
      return 'Close the text with the quote it opened with.';
    case 'S0202':
    case 'S0203':
      return 'Close the parenthesis or bracket opened before.';
    case 'S0207':
      return 'Finish the expression: something is missing after the last operator.';
    case 'S0201':
    case 'S0204':
      return `Check "${token ?? ''}": join parts with an operator (and, or, =, !=, <, >, +, & for texts) and write texts in quotes, e.g. vars.city = 'São Paulo'.`;
    default:
      return 'Write a JSONata expression: vars.NAME, comparisons (=, !=, <, >), and/or, & to join texts, texts in quotes. See docs/flows.md, "Expressions".';
  }
}

/** Constructs refused in flows: `$eval` (text run as code) and functions bound to names (recursion). */
function refusals(node: unknown): string[] {
  const found: string[] = [];
  walk(node, (current) => {
    if (current.type === 'function' && (current.procedure as Raw | undefined)?.value === 'eval') found.push('calls $eval');
    if (current.type === 'bind' && (current.rhs as Raw | undefined)?.type === 'lambda') found.push('defines a named function');
    return true;
  });
  return [...new Set(found)];
}

/** The first names of the paths read from the input (`vars` of `vars.total`), outside filters and lambdas. */
function rootNames(node: unknown): string[] {
  const names = new Set<string>();
  walk(node, (current) => {
    if (current.type === 'path') {
      const first = (current.steps as Raw[] | undefined)?.[0];
      if (first?.type === 'name') names.add(String(first.value));
      else if (first) for (const name of rootNames(first)) names.add(name);
      return false;
    }
    if (current.type === 'name') {
      names.add(String(current.value));
      return false;
    }
    return current.type !== 'lambda';
  });
  return [...names];
}

const SKIPPED_KEYS = new Set(['stages', 'predicate', 'group', 'terms', 'procedure', 'focus', 'tuple']);

function walk(node: unknown, visit: (node: Raw) => boolean): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const current = node as Raw;
  if (typeof current.type === 'string' && !visit(current)) return;
  for (const [key, value] of Object.entries(current)) if (!SKIPPED_KEYS.has(key) && typeof value === 'object') walk(value, visit);
}

function lintPattern(pattern: string, at: PathSegments, findings: Finding[]): void {
  try {
    new RegExp(pattern, 'iu');
  } catch (thrown) {
    findings.push(error('pattern.syntax', at, `The pattern does not compile: ${(thrown as Error).message.replace(/^Invalid regular expression: /, '')}.`, 'Write a JavaScript regular expression (flags i and u are added); escape ( ) [ ] { } . * + ? ^ $ | \\ with a backslash to match them literally.'));
    return;
  }
  const danger = catastrophicRegex(pattern);
  if (danger) {
    findings.push(
      error(
        'pattern.catastrophic',
        at,
        `The pattern repeats a group that can match the same text in several ways (${danger}); some messages would make it run for minutes.`,
        'Remove the nesting — (a+)+ matches what a+ matches — and write a repeated alternation as a character class: (\\w|\\s)+ is [\\w\\s]+.',
      ),
    );
  }
}

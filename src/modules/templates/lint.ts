import type { CreateTemplateRequest } from '../../whatsapp/index.js';
import type { LintProblem, LintReport } from './lint-problem.js';
import { lintAuthentication } from './lint-rules-authentication.js';
import { lintButtons } from './lint-rules-buttons.js';
import { lintCategoryContent } from './lint-rules-category.js';
import { lintExamples } from './lint-rules-examples.js';
import { lintTemplateFields } from './lint-rules-template.js';
import { lintTextComponents } from './lint-rules-text.js';

export type { LintProblem, LintReport } from './lint-problem.js';

/**
 * Checks a template against Meta's published review rules (cloud-api-facts §1.3, §4.3, §4.4)
 * before it is submitted, and reports every problem found, not just the first: each with a
 * stable `rule` id, the `path` in the request, the character range when it is part of a text,
 * a message and a fix. Errors are what Meta's review rejects; warnings are what it may
 * re-categorise or what reads badly. `ok` is true when there is no error.
 *
 * Pure: no I/O, no clock. It is the platform's own reading of the rules; the sandbox's review
 * is written separately, on purpose, so a misreading in one does not hide in the other.
 *
 * @example
 * lintTemplate({ name: 'Pedido Enviado', language: 'pt-BR', category: 'UTILITY',
 *   components: [{ type: 'BODY', text: '{{1}}, seu pedido saiu para entrega.' }] });
 * // { ok: false, problems: [
 * //   { rule: 'name.invalid', path: 'name', fix: 'Rename it to "pedido_enviado".', ... },
 * //   { rule: 'language.invalid', path: 'language', fix: 'Write it as "pt_BR".', ... },
 * //   { rule: 'body.dangling-variable', path: 'components[0].text', at: { start: 0, end: 5 }, ... },
 * //   { rule: 'examples.missing', path: 'components[0].text', ... } ] }
 */
export function lintTemplate(input: CreateTemplateRequest): LintReport {
  const problems: LintProblem[] = [
    ...lintTemplateFields(input),
    ...lintTextComponents(input),
    ...lintExamples(input),
    ...lintButtons(input),
    ...lintAuthentication(input),
    ...lintCategoryContent(input),
  ];
  return { ok: !problems.some((p) => p.severity === 'error'), problems: sortByPlace(problems) };
}

/** Problems in reading order: by path (components in index order), then by place in the text; stable otherwise. */
function sortByPlace(problems: LintProblem[]): LintProblem[] {
  const key = (p: LintProblem): number[] => {
    const field = TOP_LEVEL_ORDER.indexOf(p.path.split(/[.[]/)[0] as string);
    const indices = [...p.path.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    return [field === -1 ? TOP_LEVEL_ORDER.length : field, indices[0] ?? -1, indices[1] ?? -1, p.at?.start ?? -1];
  };
  return problems
    .map((problem, order) => ({ problem, order, key: key(problem) }))
    .sort((a, b) => compareKeys(a.key, b.key) || a.order - b.order)
    .map((entry) => entry.problem);
}

const TOP_LEVEL_ORDER = ['name', 'language', 'category', 'parameter_format', 'components'];

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

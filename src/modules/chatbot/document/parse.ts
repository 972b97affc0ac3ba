/**
 * `parseFlowDocument`: from what a business wrote (YAML or JSON text, or data already parsed)
 * to the normalised `FlowDocument` the engine runs, or every problem with its path, a plain
 * message and a fix. Four passes, each only when the one before found no error: size and
 * syntax, the JSON Schema (./schema.ts), normalisation (defaults, shorthands), and the lint
 * rules a schema cannot express (references, expressions, WhatsApp limits). Pure: no I/O.
 */
import { lintExpressions } from './lint-expressions.js';
import { lintLimits } from './lint-limits.js';
import { lintReferences } from './lint-references.js';
import { normaliseFlow } from './normalise.js';
import { error, toProblem, type Finding, type PathSegments } from './problem.js';
import { readSource } from './read-source.js';
import { schemaProblems } from './schema-problems.js';
import { MAX_DOCUMENT_BYTES } from './schema.js';
import type { FlowDocument, FlowProblem } from './types.js';

export interface ParseFlowOptions {
  /** How to read a text source: `yaml` (the default; JSON is YAML too) or strict `json`. */
  format?: 'yaml' | 'json';
}

export type ParseFlowResult = { ok: true; document: FlowDocument; warnings: FlowProblem[] } | { ok: false; problems: FlowProblem[] };

/**
 * Reads, checks and normalises a flow document. Errors make it `ok: false` with every problem
 * found (warnings included); warnings alone keep it `ok: true`.
 *
 * @example
 *   const result = parseFlowDocument('name: hello\nsteps:\n  - type: end\n    text: Olá!');
 *   if (result.ok) result.document.steps[0]; // { id: 'step_1', type: 'end', text: 'Olá!' }
 *   else for (const p of result.problems) console.log(`${p.path}: ${p.message} (fix: ${p.fix})`);
 */
export function parseFlowDocument(source: string | unknown, options: ParseFlowOptions = {}): ParseFlowResult {
  let data: unknown = source;
  let locate: (at: PathSegments) => { line: number; column: number } | undefined = () => undefined;
  const size = sizeOf(source);
  if (size === undefined) return failed([error('syntax.not-json', [], 'The document is not JSON data (it holds a function, a cycle or a big number).', 'Pass the YAML or JSON text, or data made only of objects, lists, texts, numbers, true/false and null.')], locate);
  if (size > MAX_DOCUMENT_BYTES) {
    return failed([error('limits.size', [], `The document is ${Math.ceil(size / 1024)} KB; at most ${MAX_DOCUMENT_BYTES / 1024} KB are accepted.`, 'Split it into several flows (a goto step with flow: NAME starts another), or move long catalogues into fewer, shorter items.')], locate);
  }
  if (typeof source === 'string') {
    const read = readSource(source, options.format);
    if (read.findings.length > 0) return failed(read.findings, read.locate);
    data = read.data;
    locate = read.locate;
  }
  const schemaFindings = schemaProblems(data);
  if (schemaFindings.length > 0) return failed(schemaFindings, locate);
  const raw = data as Record<string, unknown>;
  const { document, findings } = normaliseFlow(raw);
  findings.push(...lintReferences(document), ...lintExpressions(raw), ...lintLimits(document));
  const problems = ordered(findings, locate);
  if (problems.some((problem) => problem.severity === 'error')) return { ok: false, problems };
  return { ok: true, document, warnings: problems };
}

function failed(findings: Finding[], locate: (at: PathSegments) => { line: number; column: number } | undefined): ParseFlowResult {
  return { ok: false, problems: ordered(findings, locate) };
}

/** Errors first, then warnings; each by line when the source was text, else in the order found. */
function ordered(findings: Finding[], locate: (at: PathSegments) => { line: number; column: number } | undefined): FlowProblem[] {
  const problems = findings.map((finding) => toProblem(finding, locate(finding.at)));
  const rank = (problem: FlowProblem) => (problem.severity === 'error' ? 0 : 1);
  problems.sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0));
  if (problems.length <= MAX_PROBLEMS) return problems;
  const rest = problems.slice(MAX_PROBLEMS);
  const more: FlowProblem = {
    path: '',
    message: `${rest.length} more problems are not shown.`,
    fix: 'Fix the problems above and validate again.',
    severity: rest.some((problem) => problem.severity === 'error') ? 'error' : 'warning',
    rule: 'limits.problems',
  };
  return [...problems.slice(0, MAX_PROBLEMS), more];
}

/** The most problems one answer lists (a generated document can have thousands). */
const MAX_PROBLEMS = 200;

/** Bytes of the source text, or of the data as JSON; undefined when data is not JSON. */
function sizeOf(source: unknown): number | undefined {
  if (typeof source === 'string') return Buffer.byteLength(source, 'utf8');
  try {
    const json = JSON.stringify(source);
    return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
  } catch {
    return undefined;
  }
}

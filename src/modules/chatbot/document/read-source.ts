/**
 * Reads a flow's source text (YAML, or JSON when asked) into plain data, with syntax errors as
 * findings that carry their line and column, and a way to find the line of any path afterwards.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { error, type Finding, type PathSegments } from './problem.js';

export interface SourceRead {
  data: unknown;
  findings: Finding[];
  /** The line and column (1-based) of the nearest node on `at`, when the source was text. */
  locate: (at: PathSegments) => { line: number; column: number } | undefined;
}

/** YAML problems worth one finding each, with what to do about them. */
const YAML_FIXES: Record<string, string> = {
  TAB_AS_INDENT: 'Indent with spaces, not tabs.',
  DUPLICATE_KEY: 'Write each key once in a mapping: remove or rename the second one.',
  MULTIPLE_DOCS: 'Keep one flow per file: remove the --- line and move what follows into a file of its own.',
  MISSING_CHAR: 'Close the quote, bracket or brace opened on that line.',
  BAD_DQ_ESCAPE: 'Inside "double quotes" write \\\\ for a backslash, or use \'single quotes\'.',
  BLOCK_AS_IMPLICIT_KEY: 'Check the indentation: the fields of one step line up under each other (- type: send, then text: on the next line, two spaces in); quote texts that contain ": ".',
  MULTILINE_IMPLICIT_KEY: 'Check the indentation and quote texts that contain ": " or run over several lines.',
  BAD_INDENT: 'Check the indentation: items of a list and fields of a mapping line up under each other.',
  BAD_SCALAR_START: 'Quote the text: a value that starts with @, `, %, |, >, *, &, !, {, [ or contains ": " needs quotes.',
  UNEXPECTED_TOKEN: 'Check the line: quote texts with special characters and close every bracket.',
};

const DEFAULT_FIX = 'Check that line: indentation with spaces, quotes and brackets closed, texts with ": " in quotes.';

/** Deeper than this is no flow a person writes, and the YAML parser recurses once per level. */
export const MAX_NESTING = 64;

export function readSource(source: string, format: 'yaml' | 'json' | undefined): SourceRead {
  const depth = bracketDepth(source);
  if (depth > MAX_NESTING) {
    return { data: undefined, findings: [error('limits.nesting', [], `The document nests lists or mappings ${depth} levels deep; at most ${MAX_NESTING} are read.`, 'Flatten it: a flow needs a few levels (steps, a step, its options).')], locate: () => undefined };
  }
  const lineCounter = new LineCounter();
  let parsed: Document | undefined;
  // JSON is read by JSON.parse; its YAML reading only serves to find lines, so only when asked.
  const yamlDocument = () => (parsed ??= parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: true }));
  const locate = (at: PathSegments) => (yamlDocument().errors.length === 0 ? locateIn(yamlDocument(), lineCounter, at) : undefined);
  if (format === 'json') {
    try {
      return { data: JSON.parse(source) as unknown, findings: [], locate };
    } catch (thrown) {
      const yamlPosition = yamlDocument().errors[0]?.linePos?.[0];
      return { data: undefined, findings: [jsonSyntax(source, thrown as Error, yamlPosition ? { line: yamlPosition.line, column: yamlPosition.col } : undefined)], locate: () => undefined };
    }
  }
  const doc = yamlDocument();
  if (doc.errors.length > 0) {
    const findings: Finding[] = [];
    const lines = new Set<number>();
    for (const problem of doc.errors) {
      const position = problem.linePos?.[0];
      if (position && lines.has(position.line)) continue;
      if (position) lines.add(position.line);
      const what = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/; please use YAML\.parseAllDocuments\(\)/, '');
      const where = position ? ` at line ${position.line}, column ${position.col}` : '';
      findings.push({ ...error('syntax.yaml', [], `YAML syntax error${where}: ${what}.`, YAML_FIXES[problem.code] ?? DEFAULT_FIX), ...(position ? { line: position.line, column: position.col } : {}) });
      if (findings.length === 5) break;
    }
    return { data: undefined, findings, locate };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) as unknown, findings: [], locate };
  } catch (thrown) {
    return { data: undefined, findings: [error('syntax.yaml-aliases', [], `The document could not be read: ${(thrown as Error).message}.`, 'Write the values out instead of repeating aliases (*name) of aliases.')], locate };
  }
}

/** V8 names the position for some JSON errors only; otherwise the YAML reading of the same text may. */
/**
 * The deepest nesting of [ and { in the text, counting every bracket (also inside quotes): it
 * can only over-count, so no quoting trick hides depth from it.
 */
function bracketDepth(source: string): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < source.length; index += 1) {
    const code = source.charCodeAt(index);
    if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if ((code === 0x5d || code === 0x7d) && depth > 0) {
      depth -= 1;
    }
  }
  return deepest;
}

function jsonSyntax(source: string, thrown: Error, fallback: { line: number; column: number } | undefined): Finding {
  const match = /position (\d+)/.exec(thrown.message);
  let line = fallback?.line;
  let column = fallback?.column;
  if (match) {
    const before = source.slice(0, Number(match[1]));
    line = before.split('\n').length;
    column = before.length - before.lastIndexOf('\n');
  }
  const where = line !== undefined ? ` at line ${line}, column ${column}` : '';
  const what = thrown.message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
  return { ...error('syntax.json', [], `JSON syntax error${where}: ${what}.`, 'Check that line: keys and texts in "double quotes", commas between items but not after the last, every { and [ closed. Or write the flow in YAML.'), ...(line !== undefined ? { line, column } : {}) };
}

function locateIn(doc: Document, lineCounter: LineCounter, at: PathSegments): { line: number; column: number } | undefined {
  let node: Node | null | undefined = doc.contents;
  let offset = node?.range?.[0];
  for (const segment of at) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

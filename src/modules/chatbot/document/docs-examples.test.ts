import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFlowDocument } from './parse.js';
import { schemaProblems } from './schema-problems.js';

/** docs/flows.md is the format's reference: its examples must be what the parser accepts. */
const blocks = [...readFileSync(new URL('../../../../docs/flows.md', import.meta.url), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe('the YAML examples of docs/flows.md', () => {
  it('are many (one per trigger list, step type, intents, catalogs, settings)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(18);
  });

  it('every complete example (a document with its name) parses with no problem at all', () => {
    const complete = blocks.filter((block) => block.startsWith('name:'));
    expect(complete.length).toBeGreaterThanOrEqual(2);
    for (const block of complete) {
      const result = parseFlowDocument(block);
      expect(result.ok ? result.warnings : result.problems, block.split('\n')[0]).toEqual([]);
    }
  });

  it('every step example matches the schema of its type', () => {
    const stepBlocks = blocks.filter((block) => block.startsWith('- '));
    expect(stepBlocks.length).toBeGreaterThanOrEqual(15);
    for (const block of stepBlocks) expect(schemaProblems({ name: 'doc', steps: parse(block) }), block).toEqual([]);
  });

  it('every fragment of the document (triggers, intents, catalogs, settings) parses in a flow', () => {
    const fragments = blocks.filter((block) => /^(triggers|intents|catalogs|settings):/.test(block));
    expect(fragments.map((block) => block.split(':')[0]).sort()).toEqual(['catalogs', 'intents', 'settings', 'triggers']);
    const merged = Object.assign({}, ...fragments.map((block) => parse(block) as object)) as object;
    const result = parseFlowDocument({ name: 'doc', ...merged, steps: [{ type: 'end' }] });
    // The only remark: an API trigger on a flow that does not start with a template.
    expect(result.ok ? result.warnings : result.problems).toEqual([expect.objectContaining({ rule: 'trigger.api-window' })]);
  });
});

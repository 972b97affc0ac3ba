import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFlow, loadFlowFile } from '../src/cli/flow-loader.js';
import { formatTranscriptReport, runTranscript } from '../src/modules/chatbot/index.js';

/**
 * Every flow in examples/flows/ validates with no warning and passes its transcript tests
 * (`*.test.yaml` beside it), parsed and trained as publishing does: what `conversa flow test
 * examples/flows` checks, in the suite, so an engine or parser change that breaks a shipped
 * example fails CI.
 */
const folder = join(import.meta.dirname, '..', 'examples', 'flows');
const transcripts = readdirSync(folder).filter((name) => name.endsWith('.test.yaml'));
const flows = readdirSync(folder).filter((name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml'));

describe('examples/flows', () => {
  it('has a transcript for every flow', () => {
    expect(flows.length).toBeGreaterThanOrEqual(5);
    for (const flow of flows) expect(transcripts, flow).toContain(flow.replace(/\.yaml$/, '.test.yaml'));
  });

  it.each(flows)('%s is valid', async (name) => {
    await expect(loadFlowFile(join(folder, name))).resolves.toMatchObject({ name: expect.any(String) });
  });

  it.each(transcripts)('%s passes', { timeout: 30_000 }, async (name) => {
    const file = join(folder, name);
    const report = await runTranscript(readFileSync(file, 'utf8'), { loadFlow: (path) => loadFlowFile(resolve(dirname(file), path)), compile: compileFlow, now: new Date('2026-12-01T12:00:00Z') });
    const failed = report.cases.filter((c) => !c.passed);
    expect(report.error, report.error ?? '').toBeNull();
    expect(failed, formatTranscriptReport(report, name)).toEqual([]);
    expect(report.cases.length).toBeGreaterThan(0);
  });
});

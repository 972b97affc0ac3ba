import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTranscriptReport, runTranscript } from '../modules/chatbot/index.js';
import { compileFlow, loadFlowFile } from './flow-loader.js';

const HELP = `Usage: conversa flow test FILE|FOLDER...

Runs transcript tests: files of what a customer says and what the bot must answer, against the
flow each names (flow: path/to/flow.yaml, relative to the transcript), with the bot engine alone:
no server, no database. A FOLDER is searched for *.test.yaml and *.test.yml files.
The format is in docs/flows.md ("Transcript tests").

Prints ✓ or ✗ per case, what differs for each failure, and "N passed, N failed".
Exit code: 0 all passed, 1 a case failed or a file has problems, 2 bad usage.

Options:
  --now ISO   when the conversations happen (default: now), for transcripts without now:`;

export interface FlowTestIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `conversa flow test`. Answers the exit code. */
export async function runFlowTest(argv: string[], io: FlowTestIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { now: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.out : io.err)(HELP);
    return values.help ? 0 : 2;
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) {
    io.err(`--now: "${values.now}" is not an ISO 8601 time such as 2026-03-10T12:00:00Z.`);
    return 2;
  }
  let files: string[];
  try {
    files = (await Promise.all(positionals.map((path) => transcriptsAt(resolve(path))))).flat();
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  if (files.length === 0) {
    io.err(`No transcript files (*.test.yaml) in ${positionals.join(', ')}.`);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const report = await runTranscript(await readFile(file, 'utf8'), {
      loadFlow: (flowPath) => loadFlowFile(resolve(dirname(file), flowPath)),
      compile: compileFlow,
      now,
    });
    const shown = relative(process.cwd(), file);
    io.out(formatTranscriptReport(report, shown.startsWith('..') || shown === '' ? file : shown));
    if (report.error) failed += 1;
    for (const item of report.cases) {
      if (item.passed) passed += 1;
      else failed += 1;
    }
  }
  io.out(`\n${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function transcriptsAt(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new Error(`${path}: no such file or folder.`);
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.test\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * `conversa flow <subcommand>`: the tools for people who write flows. Each subcommand is one
 * entry of `FLOW_SUBCOMMANDS` (its one-line summary for `conversa flow --help`, and `run`, which
 * gets the arguments after its name and answers the exit code); add `test`, `chat` or `publish`
 * there. `readFlowFile` and `printProblems` are shared so every subcommand reads a file and
 * reports its problems the same way.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFlowDocument, type FlowProblem, type ParseFlowResult } from '../modules/chatbot/index.js';
import { runFlowChat } from './flow-chat.js';
import { runFlowPublish } from './flow-publish.js';
import { runFlowTest } from './flow-test.js';

export interface FlowCommandIo {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface FlowSubcommand {
  /** One line for `conversa flow --help`: `validate FILE   Check a flow …`. */
  summary: string;
  /** Runs with the arguments after the subcommand's name; answers the exit code (0 ok, 1 failed, 2 bad usage). */
  run: (argv: string[], io: FlowCommandIo) => Promise<number>;
}

export const FLOW_SUBCOMMANDS: Record<string, FlowSubcommand> = {
  validate: { summary: 'validate FILE [--json]   Check a flow file (YAML or JSON) without a server: every problem with its path and a fix', run: runValidate },
  test: { summary: 'test FILE|FOLDER...   Run transcript tests (*.test.yaml): what the customer says, what the bot must answer; no server', run: (argv, io) => runFlowTest(argv, { out: io.out, err: io.err }) },
  chat: {
    summary: 'chat FILE   Talk to a flow in the terminal (buttons and list rows as numbered choices); no server',
    run: (argv, io) => runFlowChat(argv, { out: io.out, err: io.err, input: process.stdin, tty: process.stdin.isTTY === true, prompt: (text) => process.stdout.write(text) }),
  },
  publish: { summary: 'publish FILE --number ID   Send the flow to a running Conversa and publish it on a number (a new version)', run: (argv, io) => runFlowPublish(argv, io) },
};

function flowHelp(): string {
  const lines = Object.values(FLOW_SUBCOMMANDS).map((command) => `  ${command.summary}`);
  return `Usage: conversa flow <command> [options]

Commands:
${lines.join('\n')}

The format of flow files: docs/flows.md (JSON Schema: GET /api/v1/flows/schema.json).`;
}

/** `conversa flow ...`: dispatches to the subcommand named first. */
export async function runFlow(argv: string[], io: FlowCommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(flowHelp());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(FLOW_SUBCOMMANDS, name) ? FLOW_SUBCOMMANDS[name] : undefined;
  if (!command) {
    io.err(`Unknown flow command "${name}".\n\n${flowHelp()}`);
    return 2;
  }
  return command.run(rest, io);
}

const VALIDATE_HELP = `Usage: conversa flow validate FILE [--json] [--format yaml|json]

Reads a flow file and checks it as the platform will at publish: the JSON Schema, every
reference between steps, the expressions, WhatsApp's limits. Needs no server.
Prints each problem as  FILE:LINE:COLUMN: error|warning: PATH: MESSAGE (fix: WHAT TO DO)
Exit code: 0 when the flow has no error (warnings allowed), 1 when it has errors, 2 on bad usage.

Options:
  --json            print the whole result as JSON: {ok, document, warnings} or {ok, problems}
  --format F        yaml or json (default: json for a .json file, else yaml)`;

async function runValidate(argv: string[], io: FlowCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${VALIDATE_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    io.err(`conversa flow validate needs one FILE.\n\n${VALIDATE_HELP}`);
    return 2;
  }
  if (values.format !== undefined && values.format !== 'yaml' && values.format !== 'json') {
    io.err(`--format must be yaml or json, not "${values.format}".`);
    return 2;
  }
  const read = await readFlowFile(file, values.format);
  if (!read.ok) {
    io.err(read.message);
    return 2;
  }
  const { result } = read;
  if (values.json) {
    io.out(JSON.stringify(result, null, 2));
    return result.ok ? 0 : 1;
  }
  const problems = result.ok ? result.warnings : result.problems;
  printProblems(file, problems, io);
  io.out(summary(file, result));
  return result.ok ? 0 : 1;
}

/**
 * Reads and parses a flow file: `.json` files strictly as JSON, others as YAML (unless `format`
 * says). Answers the parse result, or why the file could not be read.
 */
export async function readFlowFile(file: string, format?: 'yaml' | 'json'): Promise<{ ok: true; result: ParseFlowResult } | { ok: false; message: string }> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? `No such file: ${file}` : code === 'EISDIR' ? `${file} is a folder; give a flow file.` : `Cannot read ${file}: ${(error as Error).message}` };
  }
  return { ok: true, result: parseFlowDocument(source, { format: format ?? (extname(file).toLowerCase() === '.json' ? 'json' : 'yaml') }) };
}

/** One line per problem: `FILE:LINE:COLUMN: error: PATH: MESSAGE (fix: …)`. */
export function printProblems(file: string, problems: FlowProblem[], io: Pick<FlowCommandIo, 'out'>): void {
  for (const problem of problems) io.out(formatProblem(file, problem));
}

export function formatProblem(file: string, problem: FlowProblem): string {
  const where = problem.line !== undefined ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${where}: ${problem.severity}: ${path}${problem.message} (fix: ${problem.fix})`;
}

function summary(file: string, result: ParseFlowResult): string {
  if (result.ok) {
    const { document, warnings } = result;
    return `${file}: flow "${document.name}" is valid: ${counted(document.steps.length, 'step')}, ${counted(document.triggers.length, 'trigger')}, ${counted(warnings.length, 'warning')}.`;
  }
  const errors = result.problems.filter((problem) => problem.severity === 'error').length;
  return `${file}: ${counted(errors, 'error')}, ${counted(result.problems.length - errors, 'warning')}: the flow cannot be published until the errors are fixed.`;
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

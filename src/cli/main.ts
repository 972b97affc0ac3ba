import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config/index.js';
import { runCampaign } from './campaign-command.js';
import { runContact } from './contact-command.js';
import { runForms } from './forms-command.js';
import { runLeads } from './leads-command.js';
import { runWorkspace } from './workspace-command.js';

const USAGE = `Usage: conversa <command> [options]

Commands:
  serve      Run the platform (and, unless CONVERSA_SANDBOX=off, the built-in Cloud API sandbox)
  sandbox    Run only the Cloud API sandbox (see: conversa sandbox --help)
  campaign   Create, estimate, launch and follow campaigns over the REST API (see: conversa campaign --help)
  workspace  Create a workspace and its first admin API key over the REST API (see: conversa workspace --help)
  user       Create a person of the agent inbox and print a one-time password (see: conversa user --help)
  flow       Chatbot flows: validate, test (transcripts), chat (in the terminal), publish (see: conversa flow --help)
  forms      Export the form submissions of chatbot flows as XLSX or CSV (see: conversa forms --help)
  leads      Export the leads as XLSX or CSV (see: conversa leads --help)
  contact    Export everything held about one person as a ZIP (see: conversa contact --help)
  backup     Write one archive of the SQLite database and the data folder, while the server runs (see: conversa backup --help)
  restore    Bring a backup back into a data folder, after checking every file (see: conversa restore --help)
  help       Show this help

Configuration is read from the environment (PORT, SANDBOX_PORT, HOST, CONVERSA_DATA_DIR,
DATABASE_URL, CONVERSA_ADMIN_KEY, ...); see README.md. The commands that talk to a running
server find it at CONVERSA_URL, else at http://HOST:PORT (the server's own settings).`;

/** The `conversa` command. Answers the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // The platform, the sandbox and the flow tools load only when asked: `conversa flow
      // validate` reads a file and needs none of the server's modules.
      case 'serve':
        return await (await import('./serve-command.js')).runServe(rest);
      case 'sandbox':
        return await (await import('./sandbox-command.js')).runSandbox(rest);
      case 'campaign':
        return await runCampaign(rest, { env: process.env, out: (text) => process.stdout.write(text.startsWith('\r') || text === '\n' ? text : `${text}\n`), err: (text) => console.error(text), tty: process.stdout.isTTY === true });
      case 'flow':
        return await (await import('./flow.js')).runFlow(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text) });
      case 'workspace':
        return await runWorkspace(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text) });
      case 'user':
        return await (await import('./user-command.js')).runUser(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text) });
      case 'forms':
        return await runForms(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text), stdout: process.stdout });
      case 'leads':
        return await runLeads(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text), stdout: process.stdout });
      case 'contact':
        return await runContact(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text), stdout: process.stdout });
      case 'backup':
        return await (await import('./backup-command.js')).runBackup(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text) });
      case 'restore':
        return await (await import('./backup-command.js')).runRestore(rest, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text) });
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      default:
        console.error(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

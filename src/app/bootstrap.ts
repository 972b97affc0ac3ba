import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiKeys, Scope } from '../modules/api-keys/index.js';
import type { PhoneNumbers, PhoneNumberView } from '../modules/phone-numbers/index.js';
import type { Workspaces } from '../modules/workspaces/index.js';
import { SandboxLink } from './sandbox-link.js';

export interface BootstrapInput {
  workspaces: Workspaces;
  apiKeys: ApiKeys;
  phoneNumbers: PhoneNumbers;
  logger: Logger;
  adminKey: string | undefined;
  /** The sandbox to connect, when it runs (embedded or at a known URL). */
  sandbox?: { baseUrl: string; accessToken: string; controlToken?: string | undefined };
  /** The platform's webhook URL as the sandbox must call it. */
  webhookUrl: string;
}

export interface BootstrapResult {
  workspaceId: string;
  /** Set only when a new admin key was generated now: print it once, it is never shown again. */
  generatedAdminKey?: string;
  sandboxNumber?: PhoneNumberView;
  /** The demo support bot, when the first start published it on the sandbox number. */
  demoFlow?: { flowId: string; name: string; version: number };
}

export const SANDBOX_GRAPH_VERSION = 'v23.0';

/** The installation's own admin key: everything in its workspace, and creating workspaces. */
const FIRST_ADMIN_SCOPES: Scope[] = ['admin', 'workspaces:admin'];

/**
 * What a new installation needs, created on first start and reused after: a workspace, an
 * admin API key, and (with the sandbox) a sandbox WABA and number whose webhooks point here.
 */
export async function bootstrap(input: BootstrapInput): Promise<BootstrapResult> {
  let workspace = await input.workspaces.findFirst();
  let generatedAdminKey: string | undefined;
  if (!workspace) {
    workspace = await input.workspaces.create('Default workspace');
    const created = await input.apiKeys.create({
      workspaceId: workspace.id,
      name: 'admin (first start)',
      scopes: FIRST_ADMIN_SCOPES,
      ...(input.adminKey ? { key: input.adminKey } : {}),
    });
    if (!input.adminKey) generatedAdminKey = created.key;
    input.logger.info({ workspaceId: workspace.id }, 'created the default workspace and its admin API key');
  } else if (input.adminKey && !(await input.apiKeys.exists(input.adminKey))) {
    // A key that was ever stored (a revoked or rotated one included) is not created again:
    // revoking CONVERSA_ADMIN_KEY through the API sticks across restarts.
    await input.apiKeys.create({ workspaceId: workspace.id, name: 'admin (CONVERSA_ADMIN_KEY)', scopes: FIRST_ADMIN_SCOPES, key: input.adminKey });
  }

  let sandboxNumber: PhoneNumberView | undefined;
  if (input.sandbox) sandboxNumber = await connectSandbox(input, workspace.id, input.sandbox);
  return { workspaceId: workspace.id, ...(generatedAdminKey ? { generatedAdminKey } : {}), ...(sandboxNumber ? { sandboxNumber } : {}) };
}

async function connectSandbox(input: BootstrapInput, workspaceId: string, sandbox: { baseUrl: string; accessToken: string; controlToken?: string | undefined }): Promise<PhoneNumberView> {
  const link = new SandboxLink(sandbox.baseUrl, sandbox.controlToken);
  let number = await input.phoneNumbers.findByProvider(workspaceId, 'sandbox');
  // Re-assert the account with our stored ids, so a sandbox whose state was wiped gets them back;
  // on first start adopt the sandbox's first number when it already has one (a standalone sandbox).
  const existing = number ? undefined : (await link.accounts())[0]?.phone_numbers[0];
  const account = await link.ensureAccount(
    number
      ? { waba_id: number.waba_id, phone_number_id: number.phone_number_id, display_phone_number: number.display_phone_number, verified_name: number.verified_name }
      : existing
        ? { phone_number_id: existing.id }
        : { verified_name: 'Conversa Sandbox' },
  );
  let secrets = number ? await input.phoneNumbers.secretsOf(number.id) : undefined;
  if (!number || !secrets) {
    secrets = { accessToken: sandbox.accessToken, appSecret: randomBytes(32).toString('hex'), verifyToken: randomBytes(16).toString('hex') };
    number = await input.phoneNumbers.connect({
      workspaceId,
      provider: 'sandbox',
      wabaId: account.waba_id,
      phoneNumberId: account.phone_number.id,
      displayPhoneNumber: account.phone_number.display_phone_number,
      verifiedName: account.phone_number.verified_name,
      graphBaseUrl: sandbox.baseUrl,
      graphVersion: SANDBOX_GRAPH_VERSION,
      ...secrets,
      throughputMps: account.phone_number.throughput.messages_per_second,
    });
  } else if (number.graph_base_url !== sandbox.baseUrl || number.throughput_mps !== account.phone_number.throughput.messages_per_second) {
    // The sandbox moved, or its throughput changed (as Meta upgrades numbers to 1,000 mps).
    await input.phoneNumbers.updateEndpoint(number.id, sandbox.baseUrl, account.phone_number.throughput.messages_per_second);
  }
  await link.subscribe({ url: input.webhookUrl, verify_token: secrets.verifyToken, app_secret: secrets.appSecret });
  // Numbers added later (POST /api/v1/phone-numbers {"provider":"sandbox"}), in this workspace or
  // in one created through the API, share this sandbox app: they follow it when it moves, and a
  // wiped sandbox gets their ids back too.
  for (const other of await input.phoneNumbers.listByProvider('sandbox')) {
    if (other.id === number.id) continue;
    const again = await link.ensureAccount({ waba_id: other.waba_id, phone_number_id: other.phone_number_id, display_phone_number: other.display_phone_number, verified_name: other.verified_name });
    const mps = again.phone_number.throughput.messages_per_second;
    if (other.graph_base_url !== sandbox.baseUrl || other.throughput_mps !== mps) await input.phoneNumbers.updateEndpoint(other.id, sandbox.baseUrl, mps);
  }
  return number;
}

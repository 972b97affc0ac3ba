import { randomBytes } from 'node:crypto';
import type { GraphEndpoint, GraphResult, PhoneNumberInfo } from '../../whatsapp/index.js';
import type { PhoneNumbers, PhoneNumberView } from './phone-numbers.js';
import { providerStateOf } from './refresh-number.js';

/** Meta's Graph API, where Cloud API numbers live unless `graphBaseUrl` says otherwise. */
export const META_GRAPH_BASE_URL = 'https://graph.facebook.com';
/** The Graph version the platform's wire types follow (Meta's OpenAPI file, cloud-api-facts.md §7). */
export const DEFAULT_GRAPH_VERSION = 'v23.0';

/** The one Graph call connecting needs; `WhatsAppClient` provides it. */
export interface PhoneNumberReader {
  getPhoneNumber(endpoint: GraphEndpoint, phoneNumberId: string): Promise<GraphResult<PhoneNumberInfo>>;
}

/** The sandbox's control API (`POST /sandbox/v1/accounts`); `SandboxLink` provides it. */
export interface SandboxAccounts {
  ensureAccount(input: { waba_id?: string; phone_number_id?: string; display_phone_number?: string; verified_name?: string; throughput_mps?: number }): Promise<{
    waba_id: string;
    phone_number: { id: string; display_phone_number: string; verified_name: string; throughput: { messages_per_second: number }; quality_rating?: string; messaging_limit_tier?: string };
  }>;
}

export interface ConnectCloudApiNumber {
  workspaceId: string;
  wabaId: string;
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  /** Generated when absent: the token to paste into the Meta app's webhook settings. */
  verifyToken?: string | undefined;
  /** Default `v23.0`. */
  graphVersion?: string | undefined;
  /** Default `https://graph.facebook.com`; tests point it at the sandbox. */
  graphBaseUrl?: string | undefined;
  /** Used only when Meta's answer lacks them. */
  displayPhoneNumber?: string | undefined;
  verifiedName?: string | undefined;
  /** Overrides what Meta's throughput level implies (e.g. 20 for a coexistence number). */
  throughputMps?: number | undefined;
}

export interface ConnectSandboxNumber {
  workspaceId: string;
  /** Adopt this sandbox number (created when the sandbox does not have it). Default: a new one. */
  phoneNumberId?: string | undefined;
  displayPhoneNumber?: string | undefined;
  verifiedName?: string | undefined;
  throughputMps?: number | undefined;
}

export type ConnectOutcome =
  | { ok: true; number: PhoneNumberView }
  | { ok: false; error: 'already_connected'; phoneNumberId: string }
  /** The provider answered with an error: Meta's code, title and details. */
  | { ok: false; error: 'provider_rejected'; status: number; code: number; title: string; details: string }
  | { ok: false; error: 'provider_unreachable'; reason: string }
  /** Sandbox numbers join the workspace's sandbox app, and this workspace has none. */
  | { ok: false; error: 'no_sandbox' };

/**
 * Connects phone numbers to a workspace: Cloud API numbers after checking their credentials
 * against the Graph API, sandbox numbers by creating them on the sandbox. Secrets are sealed
 * by `PhoneNumbers`; outcomes are values, so the caller decides what each means to its user.
 */
export class PhoneNumberConnector {
  readonly #numbers: PhoneNumbers;
  readonly #graph: PhoneNumberReader;
  readonly #sandboxAt: (baseUrl: string) => SandboxAccounts;

  constructor(deps: { phoneNumbers: PhoneNumbers; graph: PhoneNumberReader; sandboxAt: (baseUrl: string) => SandboxAccounts }) {
    this.#numbers = deps.phoneNumbers;
    this.#graph = deps.graph;
    this.#sandboxAt = deps.sandboxAt;
  }

  /**
   * Checks the credentials with `GET /{phone-number-id}` and stores the number with what Meta
   * answered (display number, verified name, throughput).
   */
  async connectCloudApi(input: ConnectCloudApiNumber): Promise<ConnectOutcome> {
    if (await this.#numbers.findAnywhere(input.phoneNumberId)) return { ok: false, error: 'already_connected', phoneNumberId: input.phoneNumberId };
    const endpoint: GraphEndpoint = {
      baseUrl: (input.graphBaseUrl ?? META_GRAPH_BASE_URL).replace(/\/+$/, ''),
      version: input.graphVersion ?? DEFAULT_GRAPH_VERSION,
      accessToken: input.accessToken,
    };
    const answer = await this.#graph.getPhoneNumber(endpoint, input.phoneNumberId);
    if (!answer.ok) {
      if (answer.kind === 'error') return { ok: false, error: 'provider_rejected', status: answer.status, code: answer.code, title: answer.title, details: answer.details };
      return { ok: false, error: 'provider_unreachable', reason: answer.reason };
    }
    const info = answer.value;
    const state = providerStateOf(info);
    return this.#store(input.phoneNumberId, {
      workspaceId: input.workspaceId,
      provider: 'cloud_api',
      wabaId: input.wabaId,
      phoneNumberId: input.phoneNumberId,
      displayPhoneNumber: info.display_phone_number ?? input.displayPhoneNumber ?? '',
      verifiedName: info.verified_name ?? input.verifiedName ?? '',
      graphBaseUrl: endpoint.baseUrl,
      graphVersion: endpoint.version,
      accessToken: input.accessToken,
      appSecret: input.appSecret,
      verifyToken: input.verifyToken ?? newVerifyToken(),
      throughputMps: input.throughputMps ?? state.throughputMps,
      throughputPinned: input.throughputMps !== undefined,
      qualityRating: state.qualityRating,
      messagingLimitTier: state.messagingLimitTier,
    });
  }

  /**
   * Adds a number to the workspace's sandbox app: same WABA, access token, app secret and
   * verify token as the sandbox number connected at first start (one app, one webhook).
   */
  async connectSandbox(input: ConnectSandboxNumber): Promise<ConnectOutcome> {
    // A workspace adds numbers to its own sandbox WABA; a workspace without one yet (created
    // through POST /api/v1/workspaces) gets a WABA of its own in the installation's sandbox app,
    // so webhooks (routed by WABA) never reach another workspace.
    const own = await this.#numbers.findByProvider(input.workspaceId, 'sandbox');
    const first = own ?? (await this.#numbers.listByProvider('sandbox'))[0];
    const secrets = first ? await this.#numbers.secretsOf(first.id) : undefined;
    if (!first || !secrets) return { ok: false, error: 'no_sandbox' };
    if (input.phoneNumberId && (await this.#numbers.findAnywhere(input.phoneNumberId))) {
      return { ok: false, error: 'already_connected', phoneNumberId: input.phoneNumberId };
    }
    let account: Awaited<ReturnType<SandboxAccounts['ensureAccount']>>;
    try {
      account = await this.#sandboxAt(first.graph_base_url).ensureAccount({
        ...(own ? { waba_id: own.waba_id } : {}),
        ...(input.phoneNumberId ? { phone_number_id: input.phoneNumberId } : {}),
        ...(input.displayPhoneNumber ? { display_phone_number: input.displayPhoneNumber.replace(/\D/g, '') } : {}),
        ...(input.verifiedName ? { verified_name: input.verifiedName } : {}),
        ...(input.throughputMps ? { throughput_mps: input.throughputMps } : {}),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('E')) return { ok: false, error: 'provider_unreachable', reason };
      return { ok: false, error: 'provider_rejected', status: 400, code: 0, title: 'The sandbox refused the account', details: reason };
    }
    const number = account.phone_number;
    return this.#store(number.id, {
      workspaceId: input.workspaceId,
      provider: 'sandbox',
      wabaId: account.waba_id,
      phoneNumberId: number.id,
      displayPhoneNumber: number.display_phone_number,
      verifiedName: number.verified_name,
      graphBaseUrl: first.graph_base_url,
      graphVersion: first.graph_version,
      ...secrets,
      throughputMps: number.throughput.messages_per_second,
      qualityRating: number.quality_rating,
      messagingLimitTier: number.messaging_limit_tier,
    });
  }

  async #store(phoneNumberId: string, input: Parameters<PhoneNumbers['connect']>[0]): Promise<ConnectOutcome> {
    if (await this.#numbers.findAnywhere(phoneNumberId)) return { ok: false, error: 'already_connected', phoneNumberId };
    try {
      return { ok: true, number: await this.#numbers.connect(input) };
    } catch (error) {
      // Lost a race with another request connecting the same number (phone_number_id is unique).
      if (await this.#numbers.findAnywhere(phoneNumberId)) return { ok: false, error: 'already_connected', phoneNumberId };
      throw error;
    }
  }
}

function newVerifyToken(): string {
  return randomBytes(16).toString('hex');
}

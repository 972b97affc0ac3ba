import type { Kysely } from 'kysely';
import { newId, type PhoneNumbersTable, type Schema } from '../../db/index.js';
import type { SecretBox } from '../../security/index.js';
import { realClock } from '../../clock/index.js';

export type Provider = 'sandbox' | 'cloud_api';

export interface ConnectPhoneNumber {
  workspaceId: string;
  provider: Provider;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  graphBaseUrl: string;
  graphVersion: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  throughputMps: number;
  /** True when `throughputMps` was given by hand: refreshes from the provider keep it. */
  throughputPinned?: boolean | undefined;
  /** What the provider reported at connect, when it did. */
  qualityRating?: string | undefined;
  messagingLimitTier?: string | undefined;
}

/** What `GET /{phone-number-id}` reported, as `PhoneNumberRefresher` stores it. */
export interface ProviderState {
  /** Ignored for a number whose throughput was pinned at connect. */
  throughputMps: number;
  qualityRating: string | undefined;
  /** Meta's value as given, e.g. `TIER_2K`; undefined keeps the one stored. */
  messagingLimitTier: string | undefined;
}

/** A phone number as shown to API users: never any secret. */
export interface PhoneNumberView {
  id: string;
  workspace_id: string;
  provider: Provider;
  waba_id: string;
  phone_number_id: string;
  display_phone_number: string;
  verified_name: string;
  graph_base_url: string;
  graph_version: string;
  throughput_mps: number;
  /** `provider`: kept in step with the provider's throughput level; `manual`: given at connect, kept. */
  throughput_source: 'provider' | 'manual';
  /** The provider's last reported quality rating (GREEN, YELLOW, RED, NA, UNKNOWN); null until read. */
  quality_rating: string | null;
  /** The provider's last reported messaging-limit tier, as Meta names it (`TIER_250` … `TIER_UNLIMITED`); null until read. */
  messaging_limit_tier: string | null;
  /** When the provider was last asked (connect, refresh or the periodic refresh). */
  refreshed_at: string | null;
  created_at: string;
}

export interface WebhookSecret {
  workspaceId: string;
  appSecret: string;
}

/**
 * Who may sign Meta's webhooks, and what each signer may speak for: every distinct app secret
 * with the workspaces that hold it (several workspaces may share one Meta app), and which
 * workspace and WABA each connected number belongs to.
 */
export interface WebhookDirectory {
  /** One entry per distinct app secret. */
  signers: Array<{ appSecret: string; workspaceIds: string[] }>;
  /** Meta's phone_number_id → its workspace and WABA. */
  numbers: Map<string, { workspaceId: string; wabaId: string }>;
  /** WABA id → the workspaces that connected a number of it. */
  wabas: Map<string, Set<string>>;
  /** When it was read (ms since the epoch). */
  at: number;
}

const CACHE_MS = 30_000;

/**
 * Phone numbers connected to a provider (Meta's Cloud API or the sandbox), with their secrets
 * sealed by the SecretBox. Webhook verification reads app secrets through a short cache so that
 * the ingest hot path does not decrypt on every request.
 */
export class PhoneNumbers {
  #secretsByWaba = new Map<string, { at: number; secrets: WebhookSecret[] }>();
  #senders = new Map<string, { at: number; value: Awaited<ReturnType<PhoneNumbers['sender']>> }>();
  #byMetaId = new Map<string, PhoneNumberView>();
  #directory: WebhookDirectory | undefined;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly box: SecretBox,
    /** Real time (from the composition root's Clock): timestamps and the caches' ages. */
    private readonly now: () => Date = () => realClock.now(),
  ) {}

  async connect(input: ConnectPhoneNumber, now = this.now()): Promise<PhoneNumberView> {
    const row: PhoneNumbersTable = {
      id: newId('pn'),
      workspace_id: input.workspaceId,
      provider: input.provider,
      waba_id: input.wabaId,
      phone_number_id: input.phoneNumberId,
      display_phone_number: input.displayPhoneNumber,
      verified_name: input.verifiedName,
      graph_base_url: input.graphBaseUrl.replace(/\/+$/, ''),
      graph_version: input.graphVersion,
      access_token_enc: this.box.seal(input.accessToken),
      app_secret_enc: this.box.seal(input.appSecret),
      verify_token_enc: this.box.seal(input.verifyToken),
      throughput_mps: input.throughputMps,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      quality_rating: input.qualityRating ?? null,
      messaging_limit_tier: input.messagingLimitTier ?? null,
      throughput_pinned: input.throughputPinned ? 1 : 0,
      refreshed_at: input.qualityRating !== undefined || input.messagingLimitTier !== undefined ? now.toISOString() : null,
    };
    await this.db.insertInto('phone_numbers').values(row).execute();
    this.#secretsByWaba.delete(input.wabaId);
    this.#directory = undefined;
    return toView(row);
  }

  /** Points a number at a new Graph base URL (the sandbox moved ports, say) and throughput. */
  async updateEndpoint(id: string, graphBaseUrl: string, throughputMps: number, now = this.now()): Promise<void> {
    await this.db
      .updateTable('phone_numbers')
      .set({ graph_base_url: graphBaseUrl.replace(/\/+$/, ''), throughput_mps: throughputMps, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
    this.#forget(id);
  }

  #forget(id: string): void {
    this.#senders.delete(id);
    for (const [metaId, view] of this.#byMetaId) if (view.id === id) this.#byMetaId.delete(metaId);
  }

  /**
   * Stores what the provider reported about a number: throughput (unless pinned at connect),
   * quality rating and messaging-limit tier. Answers the updated number, or undefined if it is gone.
   */
  async recordProviderState(id: string, state: ProviderState, now = this.now()): Promise<PhoneNumberView | undefined> {
    const at = now.toISOString();
    await this.db
      .updateTable('phone_numbers')
      .set((eb) => ({
        throughput_mps: eb.case().when('throughput_pinned', '=', 1).then(eb.ref('throughput_mps')).else(state.throughputMps).end(),
        ...(state.qualityRating !== undefined ? { quality_rating: state.qualityRating } : {}),
        ...(state.messagingLimitTier !== undefined ? { messaging_limit_tier: state.messagingLimitTier } : {}),
        refreshed_at: at,
        updated_at: at,
      }))
      .where('id', '=', id)
      .execute();
    this.#forget(id);
    return this.findAnywhere(id);
  }

  /** Every number's row id, in every workspace (the periodic refresh walks them). */
  async allIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('phone_numbers').select('id').orderBy('created_at').execute();
    return rows.map((row) => row.id);
  }

  /** One number (the first connected) for every WABA of every workspace: what reaches each WABA (the template sync walks them). */
  async onePerWaba(): Promise<Array<{ workspaceId: string; wabaId: string; numberId: string }>> {
    const rows = await this.db
      .selectFrom('phone_numbers')
      .select(['workspace_id', 'waba_id'])
      .select((eb) => eb.fn.min('id').as('number_id'))
      .groupBy(['workspace_id', 'waba_id'])
      .execute();
    return rows.map((row) => ({ workspaceId: row.workspace_id, wabaId: row.waba_id, numberId: String(row.number_id) }));
  }

  async list(workspaceId: string): Promise<PhoneNumberView[]> {
    const rows = await this.db.selectFrom('phone_numbers').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
    return rows.map(toView);
  }

  /** Every number of a provider in every workspace, oldest first (the sandbox app's numbers, say). */
  async listByProvider(provider: Provider): Promise<PhoneNumberView[]> {
    const rows = await this.db.selectFrom('phone_numbers').selectAll().where('provider', '=', provider).orderBy('created_at').orderBy('id').execute();
    return rows.map(toView);
  }

  /** Whether any workspace has a number of this provider (not reached at `notAt`, e.g. the embedded sandbox). */
  async anyOfProvider(provider: Provider, options: { notAt?: string } = {}): Promise<boolean> {
    let query = this.db.selectFrom('phone_numbers').select('id').where('provider', '=', provider);
    if (options.notAt) query = query.where('graph_base_url', '!=', options.notAt);
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  }

  async findByProvider(workspaceId: string, provider: Provider): Promise<PhoneNumberView | undefined> {
    const row = await this.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('provider', '=', provider)
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** The secrets of a number, for the WhatsApp client and for re-asserting a subscription. */
  async secretsOf(id: string): Promise<{ accessToken: string; appSecret: string; verifyToken: string } | undefined> {
    const row = await this.db
      .selectFrom('phone_numbers')
      .select(['access_token_enc', 'app_secret_enc', 'verify_token_enc'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      accessToken: this.box.open(row.access_token_enc),
      appSecret: this.box.open(row.app_secret_enc),
      verifyToken: this.box.open(row.verify_token_enc),
    };
  }

  /** App secrets that may have signed a webhook for this WABA (one per connecting workspace). */
  async webhookSecretsFor(wabaId: string, now = this.now().getTime()): Promise<WebhookSecret[]> {
    const cached = this.#secretsByWaba.get(wabaId);
    if (cached && now - cached.at < CACHE_MS) return cached.secrets;
    const rows = await this.db.selectFrom('phone_numbers').select(['workspace_id', 'app_secret_enc']).where('waba_id', '=', wabaId).execute();
    const secrets = rows.map((row) => ({ workspaceId: row.workspace_id, appSecret: this.box.open(row.app_secret_enc) }));
    this.#secretsByWaba.set(wabaId, { at: now, secrets });
    return secrets;
  }

  /**
   * The webhook directory (see {@link WebhookDirectory}), read through a 30 s cache; `fresh`
   * re-reads it when the cached copy is older than `fresh` ms (a number connected on another
   * node since).
   */
  async webhookDirectory(options: { fresh?: number } = {}, now = this.now().getTime()): Promise<WebhookDirectory> {
    const cached = this.#directory;
    const maxAge = options.fresh ?? CACHE_MS;
    if (cached && now - cached.at < maxAge) return cached;
    const rows = await this.db.selectFrom('phone_numbers').select(['workspace_id', 'waba_id', 'phone_number_id', 'app_secret_enc']).execute();
    const bySecret = new Map<string, Set<string>>();
    const numbers = new Map<string, { workspaceId: string; wabaId: string }>();
    const wabas = new Map<string, Set<string>>();
    for (const row of rows) {
      const secret = this.box.open(row.app_secret_enc);
      if (!bySecret.has(secret)) bySecret.set(secret, new Set());
      bySecret.get(secret)!.add(row.workspace_id);
      numbers.set(row.phone_number_id, { workspaceId: row.workspace_id, wabaId: row.waba_id });
      if (!wabas.has(row.waba_id)) wabas.set(row.waba_id, new Set());
      wabas.get(row.waba_id)!.add(row.workspace_id);
    }
    const directory: WebhookDirectory = { signers: [...bySecret].map(([appSecret, ids]) => ({ appSecret, workspaceIds: [...ids] })), numbers, wabas, at: now };
    this.#directory = directory;
    return directory;
  }

  /**
   * How to reach the Graph API for a number (our row id), with its throughput; cached, since
   * the dispatcher asks on every pass.
   */
  async sender(id: string, now = this.now().getTime()): Promise<{ endpoint: { baseUrl: string; version: string; accessToken: string }; metaPhoneNumberId: string; throughputMps: number; wabaId: string; workspaceId: string } | undefined> {
    const cached = this.#senders.get(id);
    if (cached && now - cached.at < CACHE_MS) return cached.value;
    const row = await this.db.selectFrom('phone_numbers').selectAll().where('id', '=', id).executeTakeFirst();
    const value = row
      ? {
          endpoint: { baseUrl: row.graph_base_url, version: row.graph_version, accessToken: this.box.open(row.access_token_enc) },
          metaPhoneNumberId: row.phone_number_id,
          throughputMps: row.throughput_mps,
          wabaId: row.waba_id,
          workspaceId: row.workspace_id,
        }
      : undefined;
    this.#senders.set(id, { at: now, value });
    return value;
  }

  /** A number by Meta's phone_number_id (as webhooks name it). */
  async findByMetaId(phoneNumberId: string): Promise<PhoneNumberView | undefined> {
    const cached = this.#byMetaId.get(phoneNumberId);
    if (cached) return cached;
    const row = await this.db.selectFrom('phone_numbers').selectAll().where('phone_number_id', '=', phoneNumberId).executeTakeFirst();
    if (!row) return undefined;
    const view = toView(row);
    this.#byMetaId.set(phoneNumberId, view);
    return view;
  }

  /** A workspace's number by our id or Meta's phone_number_id. */
  async resolve(workspaceId: string, idOrMetaId: string): Promise<PhoneNumberView | undefined> {
    const row = await this.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('id', '=', idOrMetaId), eb('phone_number_id', '=', idOrMetaId)]))
      .executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /**
   * A number in any workspace by our id or Meta's phone_number_id, read fresh (the public
   * opt-in page shows its verified name, which Meta may change).
   */
  async findAnywhere(idOrMetaId: string): Promise<PhoneNumberView | undefined> {
    const row = await this.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrMetaId), eb('phone_number_id', '=', idOrMetaId)]))
      .executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** Every verify token in the installation, for Meta's subscription handshake. */
  async verifyTokens(): Promise<string[]> {
    const rows = await this.db.selectFrom('phone_numbers').select('verify_token_enc').execute();
    return rows.map((row) => this.box.open(row.verify_token_enc));
  }
}

function toView(row: PhoneNumbersTable): PhoneNumberView {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    provider: row.provider as Provider,
    waba_id: row.waba_id,
    phone_number_id: row.phone_number_id,
    display_phone_number: row.display_phone_number,
    verified_name: row.verified_name,
    graph_base_url: row.graph_base_url,
    graph_version: row.graph_version,
    throughput_mps: row.throughput_mps,
    throughput_source: row.throughput_pinned ? 'manual' : 'provider',
    quality_rating: row.quality_rating,
    messaging_limit_tier: row.messaging_limit_tier,
    refreshed_at: row.refreshed_at,
    created_at: row.created_at,
  };
}

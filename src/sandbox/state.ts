import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TemplateRecord } from '../whatsapp/wire.js';
import { newGraphId } from './ids.js';

/** The one Meta app the sandbox plays: its secret signs webhooks, its callback receives them. */
export interface SandboxAppConfig {
  appSecret: string;
  verifyToken: string;
  webhookUrl: string | null;
}

export interface BusinessProfile {
  about: string;
  address: string;
  description: string;
  email: string;
  profile_picture_url: string;
  websites: string[];
  vertical: string;
}

export interface SandboxWaba {
  id: string;
  name: string;
  timezoneId: string;
  /** Business-initiated unique recipients per moving 24 h. */
  messagingLimitTier: 'TIER_250' | 'TIER_2K' | 'TIER_10K' | 'TIER_100K' | 'TIER_UNLIMITED';
  subscribed: boolean;
  overrideCallbackUri: string | null;
  /** Flows the WABA owns (interactive `flow` messages must name one); absent in old state files. */
  flows?: SandboxFlow[];
  /** Catalogs connected to the WABA, with their products' retailer ids; absent in old state files. */
  catalogs?: SandboxCatalog[];
}

/** A WhatsApp Flow known to the sandbox, addressed by `flow_id` or `flow_name`. */
export interface SandboxFlow {
  id: string;
  name: string;
}

/** A product catalog connected to a WABA: `catalog_id` and its `product_retailer_id`s. */
export interface SandboxCatalog {
  id: string;
  products: string[];
}

export interface SandboxPhoneNumber {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: 'GREEN' | 'YELLOW' | 'RED';
  throughputMps: number;
  registered: boolean;
  pin: string | null;
  /** Sandbox-clock times of register/deregister calls (10 per moving 72 h). */
  registrationCalls: number[];
  profile: BusinessProfile;
  /** Welcome message, ice breakers and commands (absent in old state files: all off). */
  automation?: SandboxAutomation;
  /** wa_ids this number blocked, in the order they were blocked (absent in old state files). */
  blocked?: string[];
  /** QR codes with a prefilled message (`message_qrdls`), oldest first. */
  qrCodes?: SandboxQrCode[];
  /** The last verification code `request_code` "sent" (read it with `GET /sandbox/v1/phone-numbers/{id}/verification-code`). */
  verification?: { code: string; codeMethod: 'SMS' | 'VOICE'; language: string; requestedAt: number; verifiedAt?: number };
}

/** Meta's `conversational_automation` of a number. */
export interface SandboxAutomation {
  enable_welcome_message: boolean;
  prompts: string[];
  commands: Array<{ command_name: string; command_description: string }>;
}

/** A QR code with a prefilled message: `https://wa.me/message/{code}` opens the chat with the text typed. */
export interface SandboxQrCode {
  code: string;
  prefilled_message: string;
  createdAt: number;
}

/** A group of a business phone number (Groups API, cloud-api-facts.md §1.7). */
export interface SandboxGroup {
  /** Meta's group id: base64url text, not a number. */
  id: string;
  phoneNumberId: string;
  /** The create call's `request_id`, repeated in the group's webhooks. */
  requestId: string;
  subject: string;
  description: string;
  joinApprovalMode: 'auto_approve' | 'approval_required';
  suspended: boolean;
  /** Sandbox-clock ms. */
  createdAt: number;
  /** Customers in the group (the business is not counted), in the order they joined. */
  participants: Array<{ waId: string; joinedAt: number }>;
  /** The code of the current invite link (`https://chat.whatsapp.com/{code}`); null when revoked. */
  inviteCode: string | null;
  joinRequests: Array<{ id: string; waId: string; createdAt: number }>;
  /** The last profile picture set (multipart `file`), as its MIME type and sha256. */
  picture?: { mime_type: string; sha256: string };
}

export interface StoredTemplate extends TemplateRecord {
  wabaId: string;
  createdAt: number;
  pauseCount: number;
  /** Sandbox-clock ms of edits made while APPROVED (Meta limits those). */
  approvedEdits?: number[];
}

export interface PhoneBehaviour {
  /** Milliseconds from `sent` to `delivered` (default 20). */
  delivery_delay_ms: number;
  /** Milliseconds from `delivered` to `read`; null: the customer never reads (default 50). */
  read_delay_ms: number | null;
  /** An offline phone keeps messages at `sent` until it comes back online. */
  offline: boolean;
}

export interface StatusEntry {
  status: 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: string;
}

/** A message the business sent to a simulated phone, as that phone saw it. */
export interface ReceivedMessage {
  id: string;
  from: string;
  to: string;
  type: string;
  content: unknown;
  context?: { message_id: string };
  biz_opaque_callback_data?: string;
  timestamp: string;
  status: StatusEntry['status'];
  statuses: StatusEntry[];
  error?: { code: number; title: string; details: string };
  /** Sent to a group: its id (`to` is the group id too). */
  group_id?: string;
  pricing?: {
    category: string;
    type: 'regular' | 'free_customer_service' | 'free_entry_point';
    /** Set for a free entry point window: the conversation the 72 hours make up. */
    conversation?: { id: string; expiration_timestamp: string };
  };
}

/** A message a simulated phone sent to the business. */
export interface SentMessage {
  id: string;
  to: string;
  type: string;
  timestamp: string;
  /** Set when the business marked it read. */
  read_by_business: boolean;
  /** What the phone sent (the message's object under its type), for the phone page's bubbles. */
  content?: unknown;
  /** The message it replies to (`context.id`). */
  context?: unknown;
}

export interface SimulatedPhone {
  waId: string;
  name: string;
  hasWhatsapp: boolean;
  behaviour: PhoneBehaviour;
  marketingStopped: boolean;
  /** Sandbox-clock ms of the last message this phone sent, per business phone number id. */
  lastInboundAt: Record<string, number>;
  /**
   * Click-to-WhatsApp entry points per business phone number id: when the customer last wrote
   * through an ad or post (`referral`), and when the business's reply opened the 72-hour free
   * entry point window (Meta: reply within 24 h of the referral).
   */
  entryPoints?: Record<string, { referralAt: number; openedAt?: number }>;
  /** The business's typing indicator on this phone (sandbox-clock ms); in memory only. */
  businessTyping?: { phoneNumberId: string; since: number; until: number } | null;
  received: ReceivedMessage[];
  sent: SentMessage[];
}

export const DEFAULT_BEHAVIOUR: PhoneBehaviour = { delivery_delay_ms: 20, read_delay_ms: 50, offline: false };

/** What survives a restart of the sandbox (messages and media do not; see docs/sandbox.md). */
interface PersistedState {
  version: 1;
  clockOffsetMs: number;
  app: SandboxAppConfig;
  wabas: SandboxWaba[];
  phoneNumbers: SandboxPhoneNumber[];
  templates: StoredTemplate[];
  phones: Array<Omit<SimulatedPhone, 'received' | 'sent' | 'businessTyping'>>;
  /** Absent in state files written before groups. */
  groups?: SandboxGroup[];
}

/**
 * The sandbox's in-memory world: accounts, templates and simulated phones, optionally saved to
 * a JSON file (atomically, debounced) so that a restart keeps ids and subscriptions.
 */
export class SandboxState {
  readonly wabas = new Map<string, SandboxWaba>();
  readonly phoneNumbers = new Map<string, SandboxPhoneNumber>();
  readonly templates = new Map<string, StoredTemplate>();
  readonly phones = new Map<string, SimulatedPhone>();
  /** Groups of every number, by Meta's group id (deleted groups are removed). */
  readonly groups = new Map<string, SandboxGroup>();
  /** Every message sent to a simulated phone, by wamid. */
  readonly messages = new Map<string, ReceivedMessage>();
  /** Every message a simulated phone sent, by wamid, with its sender. */
  readonly inbound = new Map<string, SentMessage & { from: string }>();
  app: SandboxAppConfig;
  clockOffsetMs = 0;
  #saveTimer: NodeJS.Timeout | undefined;

  constructor(
    app: SandboxAppConfig,
    private readonly file: string | undefined,
  ) {
    this.app = app;
  }

  /** Loads the state file when there is one; answers whether it did. */
  load(): boolean {
    if (!this.file) return false;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return false;
    }
    const saved = JSON.parse(text) as PersistedState;
    this.clockOffsetMs = saved.clockOffsetMs;
    this.app = { ...saved.app, ...definedOnly(this.app) };
    for (const waba of saved.wabas) this.wabas.set(waba.id, waba);
    for (const number of saved.phoneNumbers) this.phoneNumbers.set(number.id, number);
    for (const template of saved.templates) this.templates.set(template.id, template);
    for (const phone of saved.phones) this.phones.set(phone.waId, { ...phone, received: [], sent: [] });
    for (const group of saved.groups ?? []) this.groups.set(group.id, group);
    return true;
  }

  /** Schedules a save of the persisted part (no-op without a state file). */
  touch(): void {
    if (!this.file || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => this.flush(), 50);
    this.#saveTimer.unref();
  }

  flush(): void {
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    if (!this.file) return;
    const state: PersistedState = {
      version: 1,
      clockOffsetMs: this.clockOffsetMs,
      app: this.app,
      wabas: [...this.wabas.values()],
      phoneNumbers: [...this.phoneNumbers.values()],
      templates: [...this.templates.values()],
      phones: [...this.phones.values()].map(({ received: _r, sent: _s, businessTyping: _t, ...rest }) => rest),
      groups: [...this.groups.values()],
    };
    // Owner only: the state holds the app secret that signs webhooks, and customers' numbers.
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /**
   * Creates a WABA with one phone number, or returns the existing one when the given ids are
   * already known (idempotent, so a platform can re-assert its sandbox account on every start).
   */
  ensureAccount(input: {
    waba_id?: string;
    phone_number_id?: string;
    display_phone_number?: string;
    verified_name?: string;
    throughput_mps?: number;
  }): { waba: SandboxWaba; phoneNumber: SandboxPhoneNumber } {
    const existing = input.phone_number_id ? this.phoneNumbers.get(input.phone_number_id) : undefined;
    if (existing) {
      const waba = this.wabas.get(existing.wabaId);
      if (waba) return { waba, phoneNumber: existing };
    }
    const wabaId = input.waba_id ?? newGraphId();
    const waba = this.wabas.get(wabaId) ?? {
      id: wabaId,
      name: input.verified_name ?? 'Conversa Sandbox',
      timezoneId: '1',
      messagingLimitTier: 'TIER_250' as const,
      subscribed: true,
      overrideCallbackUri: null,
      flows: [{ id: newGraphId(), name: 'sandbox_flow' }],
      catalogs: [{ id: newGraphId(), products: ['sandbox-product-1', 'sandbox-product-2', 'sandbox-product-3'] }],
    };
    this.wabas.set(waba.id, waba);
    const phoneNumber: SandboxPhoneNumber = {
      id: input.phone_number_id ?? newGraphId(),
      wabaId: waba.id,
      displayPhoneNumber: input.display_phone_number ?? `1555${String(this.phoneNumbers.size + 1).padStart(7, '0')}`,
      verifiedName: input.verified_name ?? 'Conversa Sandbox',
      qualityRating: 'GREEN',
      throughputMps: input.throughput_mps ?? 80,
      registered: true,
      pin: null,
      registrationCalls: [],
      profile: {
        about: 'Hello from the Conversa sandbox',
        address: '',
        description: '',
        email: '',
        profile_picture_url: '',
        websites: [],
        vertical: 'OTHER',
      },
    };
    this.phoneNumbers.set(phoneNumber.id, phoneNumber);
    this.touch();
    return { waba, phoneNumber };
  }

  /** The simulated phone for a wa_id, created with default behaviour when unknown. */
  phoneFor(waId: string): SimulatedPhone {
    let phone = this.phones.get(waId);
    if (!phone) {
      phone = {
        waId,
        name: `Customer ${waId.slice(-4)}`,
        hasWhatsapp: true,
        behaviour: { ...DEFAULT_BEHAVIOUR },
        marketingStopped: false,
        lastInboundAt: {},
        received: [],
        sent: [],
      };
      this.phones.set(waId, phone);
      this.touch();
    }
    return phone;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}

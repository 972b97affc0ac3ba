import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The validated, frozen configuration every other part of Conversa receives. Only this module
 * reads `process.env`; `loadConfig(env)` is pure so tests pass their own environment.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Where the platform is reached from outside; the sandbox's webhook subscription points here. */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The admin API key to create on first start; generated and printed once when absent. */
  readonly adminKey: string | undefined;
  /** CONVERSA_ADMIN_EMAIL: the e-mail of the first admin of the agent inbox, created on a first start with no user (default admin@conversa.local). */
  readonly adminEmail: string;
  /** 32-byte key that encrypts provider secrets at rest; read from the data folder when absent. */
  readonly secretKey: string | undefined;
  readonly sandbox: {
    /** Run the built-in Cloud API sandbox in the same process (default on). */
    readonly enabled: boolean;
    readonly port: number;
    /** Address the embedded or standalone sandbox binds to (SANDBOX_HOST, default loopback). */
    readonly host: string;
    readonly accessToken: string;
    /**
     * SANDBOX_CONTROL_TOKEN: the token `/sandbox/v1/*` requires. Unset: none on loopback, and a
     * generated one when the sandbox listens beyond it.
     */
    readonly controlToken: string | undefined;
    /** A sandbox running elsewhere (`conversa sandbox`) to connect instead of the embedded one. */
    readonly url: string | undefined;
  };
  readonly dispatch: {
    /** How long a message whose send outcome is unknown waits for its status webhook before it is sent again. */
    readonly unknownGraceMs: number;
    /** A claim older than this belongs to a dead node (several nodes on PostgreSQL). */
    readonly claimLeaseMs: number;
  };
  readonly notifications: {
    /** Quiet hours (`HH:MM` local to each contact) that postpone marketing notifications; undefined when off. */
    readonly quietHours: { readonly start: string; readonly end: string } | undefined;
    /** Time zone of contacts without one. */
    readonly defaultTimeZone: string;
    /** How often the scheduler looks for due notifications. */
    readonly pollMs: number;
  };
  readonly payments: {
    /** CONVERSA_PAYMENT_LINK_PATTERN: the payment link of Pix requests and invoices, with {txid}, {amount}, {code}, {invoice_number}, {invoice_id}. */
    readonly linkPattern: string | undefined;
  };
  readonly templates: {
    /** How often every WABA's templates are synced with the provider (CONVERSA_TEMPLATE_SYNC_SECONDS). */
    readonly syncIntervalMs: number;
  };
  readonly phoneNumbers: {
    /** How often every number's throughput, quality rating and tier are read again (CONVERSA_NUMBER_REFRESH_SECONDS). */
    readonly refreshIntervalMs: number;
  };
  readonly http: {
    /**
     * CONVERSA_TRUST_PROXY, as Fastify's `trustProxy`: `false` (default: X-Forwarded-For is
     * ignored, the client is the socket's address), the proxies' addresses/CIDRs, a hop count, or
     * `true` (every hop: any client can choose its address; only behind a proxy that overwrites the header).
     */
    readonly trustProxy: boolean | number | readonly string[];
  };
  readonly webhooks: {
    /** CONVERSA_WEBHOOKS_ALLOW_PRIVATE: outbound webhooks may target loopback and private networks (default off). */
    readonly allowPrivate: boolean;
  };
  readonly audit: {
    /** CONVERSA_AUDIT_READS: also record routine reads of single records in the audit log (default off). */
    readonly reads: boolean;
    /** CONVERSA_AUDIT_RETENTION_DAYS: audit log entries older than this are deleted (default 365, at least 1). */
    readonly retentionDays: number;
  };
  readonly flows: {
    /** CONVERSA_FLOWS_ALLOW_PRIVATE: flows' HTTP steps may call loopback and private networks (default off). */
    readonly allowPrivate: boolean;
    /** CONVERSA_DEMO_FLOW: publish the demo support bot on the embedded sandbox's number at first start (default on). */
    readonly demo: boolean;
  };
  /** What is pruned, after how long, and how gently (docs/data-protection.md#retention). */
  readonly retention: {
    /** CONVERSA_RETENTION_INBOUND_DAYS: raw webhook events are deleted this long after they were processed (default 30, at least 7: Meta retries a webhook for up to 7 days and dedupe needs its row). */
    readonly inboundMs: number;
    /** CONVERSA_RETENTION_OUTBOX_HOURS: domain events every consumer received are deleted once this old (default 24: inbox clients resume with `?after=` within it). */
    readonly outboxMs: number;
    /** CONVERSA_RETENTION_DELIVERIES_DAYS: finished outbound webhook deliveries (delivered or given up) and their attempts are deleted this long after they finished (default 30). */
    readonly deliveriesMs: number;
    /** CONVERSA_RETENTION_JOB_LOG_DAYS: finished bot tasks, the bot's log and finished media downloads are deleted once this old (default 30). */
    readonly jobLogMs: number;
    /** CONVERSA_RETENTION_INTERVAL_SECONDS: how often the retention job runs (default 3600). */
    readonly intervalMs: number;
    /** CONVERSA_RETENTION_BATCH: rows per delete statement, each its own short transaction (default 500). */
    readonly batchSize: number;
    /** CONVERSA_RETENTION_PAUSE_MS: the pause between two batches, so the hot paths get the database (default 20). */
    readonly pauseMs: number;
    /** CONVERSA_RETENTION_MAX_ROWS: at most this many rows per rule and pass; the rest waits for the next pass (default 200000). */
    readonly maxRowsPerPass: number;
  };
}

/**
 * The lowest CONVERSA_RETENTION_INBOUND_DAYS accepted. A raw webhook event's row is also its
 * deduplication key (`inbound_events.dedupe_key` is unique): Meta retries an undelivered webhook
 * with backoff for up to 7 days, so a row deleted sooner could let a retry be applied twice.
 */
export const RETENTION_INBOUND_FLOOR_DAYS = 7;

const DAY_MS = 86_400_000;

/** The first admin's e-mail when CONVERSA_ADMIN_EMAIL is not set. */
export const DEFAULT_ADMIN_EMAIL = 'admin@conversa.local';

/** The sandbox's documented default bearer token (override with SANDBOX_ACCESS_TOKEN). */
export const DEFAULT_SANDBOX_ACCESS_TOKEN = 'sandbox-access-token';

/**
 * The lowest CONVERSA_UNKNOWN_GRACE_SECONDS accepted. A message whose send outcome is unknown is
 * sent again when no status webhook names it within the grace, so the grace must outlast the
 * longest gap between two deliveries of one webhook: the sandbox retries with doubling delays
 * capped at 5 minutes, ±20 % jitter (360 s at most); Meta retries with exponential backoff for
 * 7 days and publishes no schedule (cloud-api-facts.md §2.7), so its longer gaps after an
 * outage are covered by the dispatcher holding such messages while the webhooks are behind.
 */
export const UNKNOWN_GRACE_FLOOR_SECONDS = 360;

/** A whole number between `min` and `max`, with the reason for the minimum in its error when given. */
const wholeNumber = (name: string, fallback: number, min: number, max: number, why?: string) =>
  z.coerce
    .number({ invalid_type_error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}${why ? `: ${why}` : ''}`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback);

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ invalid_type_error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be between 0 and 65535`)
    .max(65535, `${name} must be between 0 and 65535`)
    .default(fallback);

const flag = (name: string, fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'], {
      errorMap: () => ({ message: `${name} must be one of on, off, true, false, 1, 0` }),
    })
    .optional()
    .transform((value) => (value === undefined ? fallback : ['1', 'true', 'on', 'yes'].includes(value)));

const envSchema = z.object({
  HOST: z.string().min(1, 'HOST must not be empty').default('127.0.0.1'),
  PORT: port('PORT', 3000),
  SANDBOX_PORT: port('SANDBOX_PORT', 3100),
  SANDBOX_HOST: z.string().min(1, 'SANDBOX_HOST must not be empty').default('127.0.0.1'),
  SANDBOX_CONTROL_TOKEN: z
    .string()
    .min(16, 'SANDBOX_CONTROL_TOKEN must be at least 16 characters')
    .regex(/^[\x21-\x7e]+$/, 'SANDBOX_CONTROL_TOKEN must be printable ASCII without spaces (it travels in an HTTP header)')
    .optional(),
  CONVERSA_SANDBOX: flag('CONVERSA_SANDBOX', true),
  CONVERSA_PUBLIC_URL: z.string().url('CONVERSA_PUBLIC_URL must be an absolute URL such as https://chat.example.com').optional(),
  CONVERSA_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'DATABASE_URL must start with sqlite:, postgres:// or postgresql://')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONVERSA_ADMIN_KEY: z.string().min(24, 'CONVERSA_ADMIN_KEY must be at least 24 characters').optional(),
  CONVERSA_ADMIN_EMAIL: z.string().trim().toLowerCase().max(320, 'CONVERSA_ADMIN_EMAIL must be at most 320 characters').email('CONVERSA_ADMIN_EMAIL must be an e-mail address such as admin@example.com').default(DEFAULT_ADMIN_EMAIL),
  CONVERSA_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'CONVERSA_SECRET_KEY must be 64 hexadecimal characters (32 bytes)')
    .optional(),
  SANDBOX_URL: z.string().url('SANDBOX_URL must be an absolute URL such as http://127.0.0.1:3100').optional(),
  CONVERSA_UNKNOWN_GRACE_SECONDS: z.coerce
    .number({ invalid_type_error: 'CONVERSA_UNKNOWN_GRACE_SECONDS must be a number' })
    .int('CONVERSA_UNKNOWN_GRACE_SECONDS must be a whole number')
    .min(
      UNKNOWN_GRACE_FLOOR_SECONDS,
      `CONVERSA_UNKNOWN_GRACE_SECONDS must be at least ${UNKNOWN_GRACE_FLOOR_SECONDS}: a message whose send outcome is unknown is sent again when no status webhook arrives within it, and webhook retries come up to 6 minutes apart (the sandbox waits up to 5 minutes + 20 % jitter between attempts; Meta retries with exponential backoff), so a shorter grace sends messages twice (docs/messaging.md#exactly-once-across-crashes)`,
    )
    .max(7 * 86400, 'CONVERSA_UNKNOWN_GRACE_SECONDS must be at most 604800 (7 days)')
    .default(600),
  CONVERSA_CLAIM_LEASE_SECONDS: z.coerce.number({ invalid_type_error: 'CONVERSA_CLAIM_LEASE_SECONDS must be a number' }).int().min(5, 'CONVERSA_CLAIM_LEASE_SECONDS must be at least 5').max(3600).default(120),
  CONVERSA_TEMPLATE_SYNC_SECONDS: z.coerce.number({ invalid_type_error: 'CONVERSA_TEMPLATE_SYNC_SECONDS must be a number' }).int('CONVERSA_TEMPLATE_SYNC_SECONDS must be a whole number').min(10, 'CONVERSA_TEMPLATE_SYNC_SECONDS must be at least 10').max(7 * 86400, 'CONVERSA_TEMPLATE_SYNC_SECONDS must be at most 604800 (7 days)').default(900),
  CONVERSA_NUMBER_REFRESH_SECONDS: z.coerce.number({ invalid_type_error: 'CONVERSA_NUMBER_REFRESH_SECONDS must be a number' }).int('CONVERSA_NUMBER_REFRESH_SECONDS must be a whole number').min(60, 'CONVERSA_NUMBER_REFRESH_SECONDS must be at least 60').max(7 * 86400, 'CONVERSA_NUMBER_REFRESH_SECONDS must be at most 604800 (7 days)').default(3600),
  SANDBOX_ACCESS_TOKEN: z.string().min(8, 'SANDBOX_ACCESS_TOKEN must be at least 8 characters').default(DEFAULT_SANDBOX_ACCESS_TOKEN),
  CONVERSA_PAYMENT_LINK_PATTERN: z.string().superRefine(checkPaymentLinkPattern).optional(),
  CONVERSA_QUIET_HOURS: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, 'CONVERSA_QUIET_HOURS must be HH:MM-HH:MM (24 h, e.g. 21:00-08:00) or off')
    .default('21:00-08:00'),
  CONVERSA_DEFAULT_TIME_ZONE: z.string().refine(isTimeZone, 'CONVERSA_DEFAULT_TIME_ZONE must be an IANA time zone such as America/Sao_Paulo').default('America/Sao_Paulo'),
  CONVERSA_TRUST_PROXY: z.string().transform(parseTrustProxy).optional(),
  CONVERSA_WEBHOOKS_ALLOW_PRIVATE: flag('CONVERSA_WEBHOOKS_ALLOW_PRIVATE', false),
  CONVERSA_FLOWS_ALLOW_PRIVATE: flag('CONVERSA_FLOWS_ALLOW_PRIVATE', false),
  CONVERSA_DEMO_FLOW: flag('CONVERSA_DEMO_FLOW', true),
  CONVERSA_AUDIT_READS: flag('CONVERSA_AUDIT_READS', false),
  CONVERSA_AUDIT_RETENTION_DAYS: z.coerce
    .number({ invalid_type_error: 'CONVERSA_AUDIT_RETENTION_DAYS must be a number of days' })
    .int('CONVERSA_AUDIT_RETENTION_DAYS must be a whole number of days')
    .min(1, 'CONVERSA_AUDIT_RETENTION_DAYS must be at least 1')
    .max(36_500, 'CONVERSA_AUDIT_RETENTION_DAYS must be at most 36500 (100 years)')
    .default(365),
  CONVERSA_RETENTION_INBOUND_DAYS: wholeNumber('CONVERSA_RETENTION_INBOUND_DAYS', 30, RETENTION_INBOUND_FLOOR_DAYS, 3650, 'Meta retries a webhook for up to 7 days and its stored row is what deduplicates the retry (docs/data-protection.md#retention)'),
  CONVERSA_RETENTION_OUTBOX_HOURS: wholeNumber('CONVERSA_RETENTION_OUTBOX_HOURS', 24, 1, 24 * 3650, 'inbox clients resume from the outbox after a disconnection'),
  CONVERSA_RETENTION_DELIVERIES_DAYS: wholeNumber('CONVERSA_RETENTION_DELIVERIES_DAYS', 30, 1, 3650),
  CONVERSA_RETENTION_JOB_LOG_DAYS: wholeNumber('CONVERSA_RETENTION_JOB_LOG_DAYS', 30, 1, 3650),
  CONVERSA_RETENTION_INTERVAL_SECONDS: wholeNumber('CONVERSA_RETENTION_INTERVAL_SECONDS', 3600, 60, 86400),
  CONVERSA_RETENTION_BATCH: wholeNumber('CONVERSA_RETENTION_BATCH', 500, 100, 10_000),
  CONVERSA_RETENTION_PAUSE_MS: wholeNumber('CONVERSA_RETENTION_PAUSE_MS', 20, 0, 10_000),
  CONVERSA_RETENTION_MAX_ROWS: wholeNumber('CONVERSA_RETENTION_MAX_ROWS', 200_000, 1000, 100_000_000),
  CONVERSA_NOTIFICATIONS_POLL_MS: z.coerce.number({ invalid_type_error: 'CONVERSA_NOTIFICATIONS_POLL_MS must be a number' }).int().min(10, 'CONVERSA_NOTIFICATIONS_POLL_MS must be at least 10').max(600_000).default(1000),
});

/** Thrown when the environment holds a bad value; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the configuration from an environment (default `process.env`).
 * Empty strings count as unset.
 *
 * @example loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://127.0.0.1/conversa' })
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.CONVERSA_DATA_DIR);
  const reachableHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  return deepFreeze({
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.CONVERSA_PUBLIC_URL ?? `http://${reachableHost}:${e.PORT}`).replace(/\/+$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${resolve(dataDir, 'conversa.db')}`,
    logLevel: e.LOG_LEVEL,
    adminKey: e.CONVERSA_ADMIN_KEY,
    adminEmail: e.CONVERSA_ADMIN_EMAIL,
    secretKey: e.CONVERSA_SECRET_KEY,
    sandbox: {
      enabled: e.CONVERSA_SANDBOX && !e.SANDBOX_URL,
      port: e.SANDBOX_PORT,
      host: e.SANDBOX_HOST,
      accessToken: e.SANDBOX_ACCESS_TOKEN,
      controlToken: e.SANDBOX_CONTROL_TOKEN,
      url: e.SANDBOX_URL?.replace(/\/+$/, ''),
    },
    dispatch: { unknownGraceMs: e.CONVERSA_UNKNOWN_GRACE_SECONDS * 1000, claimLeaseMs: e.CONVERSA_CLAIM_LEASE_SECONDS * 1000 },
    templates: { syncIntervalMs: e.CONVERSA_TEMPLATE_SYNC_SECONDS * 1000 },
    phoneNumbers: { refreshIntervalMs: e.CONVERSA_NUMBER_REFRESH_SECONDS * 1000 },
    payments: { linkPattern: e.CONVERSA_PAYMENT_LINK_PATTERN?.trim() },
    http: { trustProxy: e.CONVERSA_TRUST_PROXY ?? false },
    webhooks: { allowPrivate: e.CONVERSA_WEBHOOKS_ALLOW_PRIVATE },
    flows: { allowPrivate: e.CONVERSA_FLOWS_ALLOW_PRIVATE, demo: e.CONVERSA_DEMO_FLOW },
    audit: { reads: e.CONVERSA_AUDIT_READS, retentionDays: e.CONVERSA_AUDIT_RETENTION_DAYS },
    retention: {
      inboundMs: e.CONVERSA_RETENTION_INBOUND_DAYS * DAY_MS,
      outboxMs: e.CONVERSA_RETENTION_OUTBOX_HOURS * 3600_000,
      deliveriesMs: e.CONVERSA_RETENTION_DELIVERIES_DAYS * DAY_MS,
      jobLogMs: e.CONVERSA_RETENTION_JOB_LOG_DAYS * DAY_MS,
      intervalMs: e.CONVERSA_RETENTION_INTERVAL_SECONDS * 1000,
      batchSize: e.CONVERSA_RETENTION_BATCH,
      pauseMs: e.CONVERSA_RETENTION_PAUSE_MS,
      maxRowsPerPass: e.CONVERSA_RETENTION_MAX_ROWS,
    },
    notifications: {
      quietHours: e.CONVERSA_QUIET_HOURS === 'off' ? undefined : { start: e.CONVERSA_QUIET_HOURS.slice(0, 5), end: e.CONVERSA_QUIET_HOURS.slice(6) },
      defaultTimeZone: e.CONVERSA_DEFAULT_TIME_ZONE,
      pollMs: e.CONVERSA_NOTIFICATIONS_POLL_MS,
    },
  });
}

/** proxy-addr's names for address ranges, accepted in CONVERSA_TRUST_PROXY. */
const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * CONVERSA_TRUST_PROXY: `false`/`off` (trust none), `true` (every hop), a hop count (`1`), or
 * addresses and CIDRs separated by commas (`127.0.0.1,10.0.0.0/8`, or loopback/linklocal/uniquelocal).
 */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): boolean | number | string[] {
  const text = value.trim().toLowerCase();
  if (['false', 'off', 'no', '0'].includes(text)) return false;
  if (['true', 'on', 'yes'].includes(text)) return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.find((entry) => !isTrustedProxyEntry(entry));
  if (entries.length === 0 || bad !== undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `CONVERSA_TRUST_PROXY must be the proxies' addresses or CIDRs separated by commas (e.g. 127.0.0.1,10.0.0.0/8), a hop count, true or false${bad === undefined ? '' : `; "${bad}" is none of these`}`,
    });
    return z.NEVER;
  }
  return entries;
}

function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Placeholders a payment link pattern may use; each is URL-encoded when filled. */
const PAYMENT_LINK_PLACEHOLDERS = ['txid', 'amount', 'code', 'invoice_number', 'invoice_id'];

/** A payment link pattern makes an https URL (http for localhost) from known {placeholders} only. */
function checkPaymentLinkPattern(value: string, ctx: z.RefinementCtx): void {
  const fail = (rule: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, message: `CONVERSA_PAYMENT_LINK_PATTERN ${rule}` });
  const names = [...value.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] ?? '');
  const unknown = names.filter((name) => !PAYMENT_LINK_PLACEHOLDERS.includes(name));
  if (unknown.length > 0) return fail(`names {${unknown[0]}}; the placeholders are ${PAYMENT_LINK_PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`);
  let url: URL;
  try {
    url = new URL(value.trim().replace(/\{[^{}]*\}/g, 'x'));
  } catch {
    return fail('must be an absolute URL such as https://pay.example.com/pix/{txid}');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))) fail('must be an https URL (http only for localhost)');
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}

/** Where the `conversa` CLI finds the server, and with which key. */
export interface CliConfig {
  /** The platform's base URL, without a trailing slash. */
  readonly url: string;
  /** What chose the URL, to name it when the server cannot be reached. */
  readonly urlFrom: 'CONVERSA_URL' | 'PORT/HOST';
  /** CONVERSA_API_KEY, else CONVERSA_ADMIN_KEY (the key the server adopted at its start). */
  readonly apiKey: string | undefined;
  readonly apiKeyFrom: 'CONVERSA_API_KEY' | 'CONVERSA_ADMIN_KEY' | undefined;
}

const cliEnvSchema = z.object({
  CONVERSA_URL: z
    .string()
    .url('CONVERSA_URL must be an absolute URL such as http://127.0.0.1:3000')
    .refine((value) => /^https?:\/\//i.test(value), 'CONVERSA_URL must be an http or https URL such as http://127.0.0.1:3000')
    .optional(),
  HOST: envSchema.shape.HOST,
  PORT: envSchema.shape.PORT,
  CONVERSA_API_KEY: z.string().min(1).optional(),
  CONVERSA_ADMIN_KEY: envSchema.shape.CONVERSA_ADMIN_KEY,
});

/**
 * The CLI's view of the same environment the server was started with: the server at
 * CONVERSA_URL, else at `http://HOST:PORT` (HOST when it is a specific address, 127.0.0.1 for
 * 0.0.0.0 or ::, as the server's own public URL; PORT default 3000); the key CONVERSA_API_KEY, else CONVERSA_ADMIN_KEY.
 *
 * @example loadCliConfig({ PORT: '8080' }).url // 'http://127.0.0.1:8080'
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = cliEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const host = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST; // as publicUrl above
  const apiKey = e.CONVERSA_API_KEY ?? e.CONVERSA_ADMIN_KEY;
  return deepFreeze({
    url: (e.CONVERSA_URL ?? `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${e.PORT}`).replace(/\/+$/, ''),
    urlFrom: e.CONVERSA_URL ? 'CONVERSA_URL' : 'PORT/HOST',
    apiKey,
    apiKeyFrom: e.CONVERSA_API_KEY ? 'CONVERSA_API_KEY' : e.CONVERSA_ADMIN_KEY ? 'CONVERSA_ADMIN_KEY' : undefined,
  } satisfies CliConfig);
}

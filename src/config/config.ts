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
  /** 32-byte key that encrypts provider secrets at rest; read from the data folder when absent. */
  readonly secretKey: string | undefined;
  readonly sandbox: {
    /** Run the built-in Cloud API sandbox in the same process (default on). */
    readonly enabled: boolean;
    readonly port: number;
    readonly accessToken: string;
    /** A sandbox running elsewhere (`conversa sandbox`) to connect instead of the embedded one. */
    readonly url: string | undefined;
  };
  readonly dispatch: {
    /** How long a message whose send outcome is unknown waits for its status webhook before it is sent again. */
    readonly unknownGraceMs: number;
    /** A claim older than this belongs to a dead node (several nodes on PostgreSQL). */
    readonly claimLeaseMs: number;
  };
}

/** The sandbox's documented default bearer token (override with SANDBOX_ACCESS_TOKEN). */
export const DEFAULT_SANDBOX_ACCESS_TOKEN = 'sandbox-access-token';

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
  CONVERSA_SANDBOX: flag('CONVERSA_SANDBOX', true),
  CONVERSA_PUBLIC_URL: z.string().url('CONVERSA_PUBLIC_URL must be an absolute URL such as https://chat.example.com').optional(),
  CONVERSA_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'DATABASE_URL must start with sqlite:, postgres:// or postgresql://')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONVERSA_ADMIN_KEY: z.string().min(24, 'CONVERSA_ADMIN_KEY must be at least 24 characters').optional(),
  CONVERSA_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'CONVERSA_SECRET_KEY must be 64 hexadecimal characters (32 bytes)')
    .optional(),
  SANDBOX_URL: z.string().url('SANDBOX_URL must be an absolute URL such as http://127.0.0.1:3100').optional(),
  CONVERSA_UNKNOWN_GRACE_SECONDS: z.coerce.number({ invalid_type_error: 'CONVERSA_UNKNOWN_GRACE_SECONDS must be a number' }).int().min(1, 'CONVERSA_UNKNOWN_GRACE_SECONDS must be at least 1').max(7 * 86400).default(600),
  CONVERSA_CLAIM_LEASE_SECONDS: z.coerce.number({ invalid_type_error: 'CONVERSA_CLAIM_LEASE_SECONDS must be a number' }).int().min(5, 'CONVERSA_CLAIM_LEASE_SECONDS must be at least 5').max(3600).default(120),
  SANDBOX_ACCESS_TOKEN: z.string().min(8, 'SANDBOX_ACCESS_TOKEN must be at least 8 characters').default(DEFAULT_SANDBOX_ACCESS_TOKEN),
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
    secretKey: e.CONVERSA_SECRET_KEY,
    sandbox: {
      enabled: e.CONVERSA_SANDBOX && !e.SANDBOX_URL,
      port: e.SANDBOX_PORT,
      accessToken: e.SANDBOX_ACCESS_TOKEN,
      url: e.SANDBOX_URL?.replace(/\/+$/, ''),
    },
    dispatch: { unknownGraceMs: e.CONVERSA_UNKNOWN_GRACE_SECONDS * 1000, claimLeaseMs: e.CONVERSA_CLAIM_LEASE_SECONDS * 1000 },
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}

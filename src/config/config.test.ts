import { describe, expect, it } from 'vitest';
import { ConfigError, loadCliConfig, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults for a laptop', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, publicUrl: 'http://127.0.0.1:3000', logLevel: 'info', sandbox: { enabled: true, port: 3100, accessToken: 'sandbox-access-token' } });
    expect(config.databaseUrl).toBe(`sqlite:${config.dataDir}/conversa.db`);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sandbox)).toBe(true);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      SANDBOX_PORT: '8081',
      CONVERSA_SANDBOX: 'off',
      CONVERSA_DATA_DIR: '/var/lib/conversa',
      DATABASE_URL: 'postgres://conversa@db/conversa',
      LOG_LEVEL: 'warn',
      CONVERSA_PUBLIC_URL: 'https://chat.example.com/',
      SANDBOX_ACCESS_TOKEN: 'another-token',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      publicUrl: 'https://chat.example.com',
      dataDir: '/var/lib/conversa',
      databaseUrl: 'postgres://conversa@db/conversa',
      sandbox: { enabled: false, port: 8081, accessToken: 'another-token' },
    });
  });

  it('takes the first admin\'s e-mail from CONVERSA_ADMIN_EMAIL (lower-cased), admin@conversa.local by default, and refuses a non-address', () => {
    expect(loadConfig({}).adminEmail).toBe('admin@conversa.local');
    expect(loadConfig({ CONVERSA_ADMIN_EMAIL: ' Ana@Padaria.example ' }).adminEmail).toBe('ana@padaria.example');
    expect(() => loadConfig({ CONVERSA_ADMIN_EMAIL: 'ana' })).toThrow(/CONVERSA_ADMIN_EMAIL must be an e-mail address/);
  });

  it('names every bad variable and its rule', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', CONVERSA_SANDBOX: 'maybe' })).toThrow(ConfigError);
    let message = '';
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', CONVERSA_SECRET_KEY: 'short' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORT: PORT must be between 0 and 65535');
    expect(message).toContain('DATABASE_URL: DATABASE_URL must start with sqlite:, postgres:// or postgresql://');
    expect(message).toContain('CONVERSA_SECRET_KEY: CONVERSA_SECRET_KEY must be 64 hexadecimal characters');
  });

  it('reads the notification, template and payment settings, and names bad ones', () => {
    expect(loadConfig({}).notifications).toEqual({ quietHours: { start: '21:00', end: '08:00' }, defaultTimeZone: 'America/Sao_Paulo', pollMs: 1000 });
    const config = loadConfig({ CONVERSA_QUIET_HOURS: '22:30-07:15', CONVERSA_DEFAULT_TIME_ZONE: 'Europe/Lisbon', CONVERSA_NOTIFICATIONS_POLL_MS: '250', CONVERSA_TEMPLATE_SYNC_SECONDS: '60' });
    expect(config.notifications).toEqual({ quietHours: { start: '22:30', end: '07:15' }, defaultTimeZone: 'Europe/Lisbon', pollMs: 250 });
    expect(config.templates.syncIntervalMs).toBe(60_000);
    expect(loadConfig({ CONVERSA_QUIET_HOURS: 'off' }).notifications.quietHours).toBeUndefined();
    let message = '';
    try {
      loadConfig({ CONVERSA_QUIET_HOURS: '9pm-8am', CONVERSA_DEFAULT_TIME_ZONE: 'Mars/Olympus', CONVERSA_TEMPLATE_SYNC_SECONDS: '5' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('CONVERSA_QUIET_HOURS must be HH:MM-HH:MM');
    expect(message).toContain('CONVERSA_DEFAULT_TIME_ZONE must be an IANA time zone');
    expect(message).toContain('CONVERSA_TEMPLATE_SYNC_SECONDS must be at least 10');
  });

  it('records no single reads in the audit log and keeps it 365 days by default; reads both settings and names bad ones', () => {
    expect(loadConfig({}).audit).toEqual({ reads: false, retentionDays: 365 });
    expect(loadConfig({ CONVERSA_AUDIT_READS: 'on', CONVERSA_AUDIT_RETENTION_DAYS: '30' }).audit).toEqual({ reads: true, retentionDays: 30 });
    for (const [env, rule] of [
      [{ CONVERSA_AUDIT_RETENTION_DAYS: '0' }, 'CONVERSA_AUDIT_RETENTION_DAYS: CONVERSA_AUDIT_RETENTION_DAYS must be at least 1'],
      [{ CONVERSA_AUDIT_RETENTION_DAYS: '1.5' }, 'CONVERSA_AUDIT_RETENTION_DAYS must be a whole number of days'],
      [{ CONVERSA_AUDIT_RETENTION_DAYS: 'forever' }, 'CONVERSA_AUDIT_RETENTION_DAYS must be a number of days'],
      [{ CONVERSA_AUDIT_READS: 'maybe' }, 'CONVERSA_AUDIT_READS must be one of on, off'],
    ] as const) {
      expect(() => loadConfig(env)).toThrow(rule);
    }
  });

  it('trusts no proxy by default, and reads CONVERSA_TRUST_PROXY as addresses, a hop count or true', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ CONVERSA_TRUST_PROXY: '127.0.0.1' }).http.trustProxy).toEqual(['127.0.0.1']);
    expect(loadConfig({ CONVERSA_TRUST_PROXY: ' 10.0.0.0/8, ::1 ,fd00::/8,loopback' }).http.trustProxy).toEqual(['10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    expect(loadConfig({ CONVERSA_TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ CONVERSA_TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ CONVERSA_TRUST_PROXY: 'off' }).http.trustProxy).toBe(false);
    for (const bad of ['proxy.example.com', '10.0.0.0/33', '300.1.1.1', '127.0.0.1,,x', '::1/129']) {
      expect(() => loadConfig({ CONVERSA_TRUST_PROXY: bad }), bad).toThrow(/CONVERSA_TRUST_PROXY: CONVERSA_TRUST_PROXY must be the proxies' addresses or CIDRs/);
    }
  });

  it('refuses private webhook targets unless CONVERSA_WEBHOOKS_ALLOW_PRIVATE is on', () => {
    expect(loadConfig({}).webhooks.allowPrivate).toBe(false);
    expect(loadConfig({ CONVERSA_WEBHOOKS_ALLOW_PRIVATE: 'true' }).webhooks.allowPrivate).toBe(true);
    expect(() => loadConfig({ CONVERSA_WEBHOOKS_ALLOW_PRIVATE: 'sure' })).toThrow(/CONVERSA_WEBHOOKS_ALLOW_PRIVATE must be one of on, off/);
  });

  it("publishes the demo bot unless CONVERSA_DEMO_FLOW is off; refuses private targets of flows' HTTP steps unless CONVERSA_FLOWS_ALLOW_PRIVATE is on", () => {
    expect(loadConfig({}).flows).toEqual({ allowPrivate: false, demo: true });
    expect(loadConfig({ CONVERSA_DEMO_FLOW: 'off', CONVERSA_FLOWS_ALLOW_PRIVATE: 'on' }).flows).toEqual({ allowPrivate: true, demo: false });
    expect(() => loadConfig({ CONVERSA_DEMO_FLOW: 'maybe' })).toThrow(/CONVERSA_DEMO_FLOW must be one of on, off/);
  });

  it('binds the sandbox to loopback whatever HOST says, unless SANDBOX_HOST says otherwise', () => {
    expect(loadConfig({ HOST: '0.0.0.0' }).sandbox).toMatchObject({ host: '127.0.0.1', controlToken: undefined });
    expect(loadConfig({ HOST: '0.0.0.0', SANDBOX_HOST: '0.0.0.0', SANDBOX_CONTROL_TOKEN: 'a-control-token-of-32-characters' }).sandbox).toMatchObject({ host: '0.0.0.0', controlToken: 'a-control-token-of-32-characters' });
    expect(() => loadConfig({ SANDBOX_CONTROL_TOKEN: 'short' })).toThrow(/SANDBOX_CONTROL_TOKEN: SANDBOX_CONTROL_TOKEN must be at least 16 characters/);
    expect(() => loadConfig({ SANDBOX_CONTROL_TOKEN: 'has a space in the middle' })).toThrow(/SANDBOX_CONTROL_TOKEN must be printable ASCII without spaces/);
    expect(loadConfig({ SANDBOX_HOST: '' }).sandbox.host).toBe('127.0.0.1');
  });

  it('refuses an unknown-outcome grace below the provider retry gaps, saying why', () => {
    expect(loadConfig({}).dispatch.unknownGraceMs).toBe(600_000);
    expect(loadConfig({ CONVERSA_UNKNOWN_GRACE_SECONDS: '360' }).dispatch.unknownGraceMs).toBe(360_000);
    // 30 s with 150 s of downtime delivered messages twice (issue 8).
    let message = '';
    try {
      loadConfig({ CONVERSA_UNKNOWN_GRACE_SECONDS: '30' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('CONVERSA_UNKNOWN_GRACE_SECONDS: CONVERSA_UNKNOWN_GRACE_SECONDS must be at least 360');
    expect(message).toMatch(/webhook retries come up to 6 minutes apart .* a shorter grace sends messages twice/);
    expect(() => loadConfig({ CONVERSA_UNKNOWN_GRACE_SECONDS: '359' })).toThrow(ConfigError);
    expect(() => loadConfig({ CONVERSA_UNKNOWN_GRACE_SECONDS: '700000' })).toThrow(/at most 604800/);
  });

  it('prunes with safe defaults, reads the CONVERSA_RETENTION_* variables, and refuses an inbound retention under 7 days, saying why', () => {
    const day = 86_400_000;
    expect(loadConfig({}).retention).toEqual({ inboundMs: 30 * day, outboxMs: 24 * 3600_000, deliveriesMs: 30 * day, jobLogMs: 30 * day, intervalMs: 3600_000, batchSize: 500, pauseMs: 20, maxRowsPerPass: 200_000 });
    const config = loadConfig({
      CONVERSA_RETENTION_INBOUND_DAYS: '7',
      CONVERSA_RETENTION_OUTBOX_HOURS: '2',
      CONVERSA_RETENTION_DELIVERIES_DAYS: '90',
      CONVERSA_RETENTION_JOB_LOG_DAYS: '14',
      CONVERSA_RETENTION_INTERVAL_SECONDS: '600',
      CONVERSA_RETENTION_BATCH: '500',
      CONVERSA_RETENTION_PAUSE_MS: '0',
      CONVERSA_RETENTION_MAX_ROWS: '5000',
    });
    expect(config.retention).toEqual({ inboundMs: 7 * day, outboxMs: 2 * 3600_000, deliveriesMs: 90 * day, jobLogMs: 14 * day, intervalMs: 600_000, batchSize: 500, pauseMs: 0, maxRowsPerPass: 5000 });
    expect(() => loadConfig({ CONVERSA_RETENTION_INBOUND_DAYS: '3' })).toThrow(/CONVERSA_RETENTION_INBOUND_DAYS: CONVERSA_RETENTION_INBOUND_DAYS must be at least 7: Meta retries a webhook for up to 7 days/);
    expect(() => loadConfig({ CONVERSA_RETENTION_BATCH: '50000' })).toThrow(/CONVERSA_RETENTION_BATCH must be at most 10000/);
    expect(() => loadConfig({ CONVERSA_RETENTION_OUTBOX_HOURS: 'soon' })).toThrow(/CONVERSA_RETENTION_OUTBOX_HOURS must be a number/);
    expect(() => loadConfig({ CONVERSA_RETENTION_DELIVERIES_DAYS: '1.5' })).toThrow(/CONVERSA_RETENTION_DELIVERIES_DAYS must be a whole number/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });
});

describe('loadCliConfig', () => {
  it('finds the server at CONVERSA_URL, else at http://HOST:PORT as the server uses them', () => {
    expect(loadCliConfig({})).toEqual({ url: 'http://127.0.0.1:3000', urlFrom: 'PORT/HOST', apiKey: undefined, apiKeyFrom: undefined });
    expect(loadCliConfig({ PORT: '8080' }).url).toBe('http://127.0.0.1:8080');
    expect(loadCliConfig({ PORT: '8080', HOST: '0.0.0.0' }).url).toBe('http://127.0.0.1:8080');
    expect(loadCliConfig({ HOST: '::' }).url).toBe('http://127.0.0.1:3000');
    expect(loadCliConfig({ HOST: '::1' }).url).toBe('http://[::1]:3000');
    expect(loadCliConfig({ HOST: '10.0.0.5', PORT: '4000' }).url).toBe('http://10.0.0.5:4000');
    expect(loadCliConfig({ HOST: 'fd00::5' }).url).toBe('http://[fd00::5]:3000');
    expect(loadCliConfig({ CONVERSA_URL: 'https://chat.example.com/', PORT: '8080' })).toMatchObject({ url: 'https://chat.example.com', urlFrom: 'CONVERSA_URL' });
    expect(loadCliConfig({ CONVERSA_URL: '', PORT: '9' })).toMatchObject({ url: 'http://127.0.0.1:9', urlFrom: 'PORT/HOST' });
  });

  it('takes CONVERSA_API_KEY, else the CONVERSA_ADMIN_KEY the server was started with', () => {
    const admin = 'admin-key-0123456789abcdefgh';
    expect(loadCliConfig({ CONVERSA_ADMIN_KEY: admin })).toMatchObject({ apiKey: admin, apiKeyFrom: 'CONVERSA_ADMIN_KEY' });
    expect(loadCliConfig({ CONVERSA_ADMIN_KEY: admin, CONVERSA_API_KEY: 'cv_live_x' })).toMatchObject({ apiKey: 'cv_live_x', apiKeyFrom: 'CONVERSA_API_KEY' });
  });

  it('names a bad CONVERSA_URL or PORT', () => {
    expect(() => loadCliConfig({ CONVERSA_URL: '127.0.0.1 port 3000' })).toThrow(/CONVERSA_URL must be an absolute URL/);
    expect(() => loadCliConfig({ CONVERSA_URL: 'ftp://example.com' })).toThrow(/CONVERSA_URL must be an http or https URL/);
    expect(() => loadCliConfig({ PORT: 'abc' })).toThrow(ConfigError);
  });
});

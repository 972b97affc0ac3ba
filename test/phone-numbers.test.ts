import { beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TOKEN } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

const PUBLIC_URL = 'https://conversa.example.com';
const APP_SECRET = 'cloud-app-secret-0123456789abcdef';

describe.each(DIALECTS)('/api/v1/phone-numbers on $name', (dialect) => {
  let running = useApp(dialect, { env: { CONVERSA_PUBLIC_URL: PUBLIC_URL } });
  let sandboxUrl: string;

  const api = running.api;
  const sandbox = running.sandbox;
  const sandboxAccount = async (): Promise<{ waba_id: string; phone_number: Json }> => {
    const response = await sandbox('POST', '/sandbox/v1/accounts', {}, { token: null });
    expect(response.status).toBe(201);
    return response.body as { waba_id: string; phone_number: Json };
  };
  const cloudApi = (account: { waba_id: string; phone_number: Json }, extra: Record<string, unknown> = {}) => ({
    provider: 'cloud_api',
    waba_id: account.waba_id,
    phone_number_id: account.phone_number.id,
    access_token: SANDBOX_TOKEN,
    app_secret: APP_SECRET,
    graph_base_url: sandboxUrl,
    ...extra,
  });

  beforeAll(async () => {
    sandboxUrl = running.started.sandboxUrl as string;
  });
  /** Changes what the sandbox (standing in for Meta) reports for a number, as Meta's upgrades do. */
  const upgrade = async (metaId: string, patch: Record<string, unknown>) => {
    const patched = await sandbox('PATCH', `/sandbox/v1/phone-numbers/${metaId}`, patch, { token: null });
    expect(patched.status).toBe(200);
  };

  it('lists the numbers with the webhook URL and verify token, and no other secret', async () => {
    const listed = await api('GET', '/phone-numbers');
    expect(listed.status).toBe(200);
    const first = running.started.sandboxNumber;
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        id: first?.id,
        provider: 'sandbox',
        phone_number_id: first?.phone_number_id,
        verified_name: 'Conversa Sandbox',
        webhook: { url: `${PUBLIC_URL}/webhooks/whatsapp`, verify_token: expect.stringMatching(/^[0-9a-f]{32}$/) },
      }),
    ]);
    expect(listed.text).not.toContain(SANDBOX_TOKEN);
    expect(listed.text).not.toMatch(/access_token|app_secret|_enc"/);
    const secrets = await running.app.modules.phoneNumbers.secretsOf(first?.id as string);
    expect(listed.text).not.toContain(secrets?.appSecret);
  });

  it("connects a Cloud API number after checking it with Meta's GET /{phone_number_id} (here: the sandbox)", async () => {
    const account = await sandboxAccount();
    const connected = await api('POST', '/phone-numbers', cloudApi(account));
    expect(connected.status).toBe(201);
    expect(connected.body).toMatchObject({
      id: expect.stringMatching(/^pn_/),
      provider: 'cloud_api',
      waba_id: account.waba_id,
      phone_number_id: account.phone_number.id,
      display_phone_number: account.phone_number.display_phone_number,
      verified_name: account.phone_number.verified_name,
      graph_base_url: sandboxUrl,
      graph_version: 'v23.0',
      throughput_mps: 80,
      webhook: { url: `${PUBLIC_URL}/webhooks/whatsapp`, verify_token: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    expect(connected.text).not.toContain(SANDBOX_TOKEN);
    expect(connected.text).not.toContain(APP_SECRET);

    // Stored sealed, and usable: the secrets open again, the verify token passes Meta's handshake.
    expect(await running.app.modules.phoneNumbers.secretsOf(connected.body.id)).toEqual({ accessToken: SANDBOX_TOKEN, appSecret: APP_SECRET, verifyToken: connected.body.webhook.verify_token });
    const handshake = await fetch(`${running.started.platformUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${connected.body.webhook.verify_token}&hub.challenge=1158201444`);
    expect(await handshake.text()).toBe('1158201444');

    const byMetaId = await api('GET', `/phone-numbers/${account.phone_number.id}`);
    const byOurId = await api('GET', `/phone-numbers/${connected.body.id}`);
    // The number refresh (a job woken by the connect) may have asked Meta again in between.
    const sameNumber = { ...connected.body, refreshed_at: expect.any(String) };
    expect(byMetaId.body).toEqual(sameNumber);
    expect(byOurId.body).toEqual(sameNumber);
    const listed = await api('GET', '/phone-numbers');
    expect(listed.body.data.map((n: Json) => n.phone_number_id)).toContain(account.phone_number.id);
    expect(listed.text).not.toContain(APP_SECRET);
    expect(listed.text).not.toContain(SANDBOX_TOKEN);
  });

  it('keeps a given verify token, throughput and Graph version', async () => {
    const account = await sandboxAccount();
    const connected = await api('POST', '/phone-numbers', cloudApi(account, { verify_token: 'my-verify-token-1', throughput_mps: 20, graph_version: 'v24.0' }));
    expect(connected.status).toBe(201);
    expect(connected.body).toMatchObject({ throughput_mps: 20, graph_version: 'v24.0', webhook: { verify_token: 'my-verify-token-1' } });
  });

  it("answers 422 with Meta's error code when the token is wrong, and stores nothing", async () => {
    const account = await sandboxAccount();
    const refused = await api('POST', '/phone-numbers', cloudApi(account, { access_token: 'not-the-right-token' }));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'CONVERSA_ERR_PROVIDER_REJECTED',
      message: expect.stringContaining('(#190)'),
      details: { meta_code: 190, meta_status: 401, fix: expect.stringContaining('system-user token') },
    });
    expect((await api('GET', `/phone-numbers/${account.phone_number.id}`)).status).toBe(404);

    const unknown = await api('POST', '/phone-numbers', cloudApi({ waba_id: account.waba_id, phone_number: { id: '123456789012345' } }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.meta_code).toBe(100);

    const unreachable = await api('POST', '/phone-numbers', cloudApi(account, { graph_base_url: 'http://127.0.0.1:9' }));
    expect(unreachable.status).toBe(502);
    expect(unreachable.body.error.code).toBe('CONVERSA_ERR_PROVIDER_UNREACHABLE');
  });

  it('answers 409 for a number that is already connected', async () => {
    const account = await sandboxAccount();
    expect((await api('POST', '/phone-numbers', cloudApi(account))).status).toBe(201);
    const again = await api('POST', '/phone-numbers', cloudApi(account));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONVERSA_ERR_CONFLICT', details: { field: 'phone_number_id' } });
    const sandboxOne = running.started.sandboxNumber as Json;
    const taken = await api('POST', '/phone-numbers', cloudApi({ waba_id: sandboxOne.waba_id, phone_number: { id: sandboxOne.phone_number_id } }));
    expect(taken.status).toBe(409);
    const adopt = await api('POST', '/phone-numbers', { provider: 'sandbox', phone_number_id: sandboxOne.phone_number_id });
    expect(adopt.status).toBe(409);
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const missing = await api('POST', '/phone-numbers', { provider: 'cloud_api', waba_id: '1234567890', access_token: 'x'.repeat(20), app_secret: APP_SECRET });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.phone_number_id', rule: 'is required' } });
    const provider = await api('POST', '/phone-numbers', { provider: 'on_premise' });
    expect(provider.status).toBe(400);
    expect(provider.body.error.details.field).toBe('body.provider');
    const notNumeric = await api('POST', '/phone-numbers', { provider: 'cloud_api', waba_id: '1234567890', phone_number_id: '+5511988887777', access_token: 'x'.repeat(20), app_secret: APP_SECRET });
    expect(notNumeric.status).toBe(400);
    expect(notNumeric.body.error.details.field).toBe('body.phone_number_id');
    const badUrl = await api('POST', '/phone-numbers', { provider: 'cloud_api', waba_id: '1', phone_number_id: '2', access_token: 'x'.repeat(20), app_secret: APP_SECRET, graph_base_url: 'ftp://example.com' });
    expect(badUrl.body.error.details.field).toBe('body.graph_base_url');
    const noBody = await api('POST', '/phone-numbers');
    expect(noBody.status).toBe(400);
  });

  it('adds a sandbox number to the same sandbox app, whose webhooks then verify and land on it', async () => {
    const first = running.started.sandboxNumber as Json;
    const connected = await api('POST', '/phone-numbers', { provider: 'sandbox', verified_name: 'Loja Dois', display_phone_number: '+55 21 3333-0002', throughput_mps: 20 });
    expect(connected.status).toBe(201);
    const firstView = (await api('GET', `/phone-numbers/${first.id}`)).body;
    expect(connected.body).toMatchObject({
      provider: 'sandbox',
      waba_id: first.waba_id,
      verified_name: 'Loja Dois',
      display_phone_number: '552133330002',
      throughput_mps: 20,
      graph_base_url: sandboxUrl,
      webhook: firstView.webhook,
    });
    // A customer writes to the new number: the sandbox signs with its app's secret, which the
    // new number shares, so the platform accepts the webhook and opens a conversation on it.
    const wrote = await sandbox('POST', '/sandbox/v1/phones/5511966660001/messages', { to: connected.body.phone_number_id, type: 'text', text: { body: 'Oi, loja dois' } }, { token: null });
    expect(wrote.status).toBeLessThan(300);
    const conversation = await until(async () => {
      const contact = (await api('POST', '/contacts', { phone: '+5511966660001' })).body;
      const found = (await api('GET', `/conversations?contact_id=${contact.id}`)).body.data[0];
      return found?.last_messages.length > 0 && found;
    }, 'the inbound message on the new number');
    expect(conversation.phone_number_id).toBe(connected.body.id);
  });

  it('keeps added sandbox numbers pointed at the sandbox after a restart moves it', async () => {
    running = await running.restart();
    const moved = running.started.sandboxUrl as string;
    expect(moved).not.toBe(sandboxUrl);
    sandboxUrl = moved;
    const sandboxNumbers = (await api('GET', '/phone-numbers')).body.data.filter((n: Json) => n.provider === 'sandbox');
    expect(sandboxNumbers.length).toBeGreaterThanOrEqual(2);
    expect(sandboxNumbers.map((n: Json) => n.graph_base_url)).toEqual(sandboxNumbers.map(() => moved));
  });

  it('documents the new API routes in the OpenAPI document, and leaves the public pages out', async () => {
    const document = (await (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(document.paths['/api/v1/phone-numbers']?.post?.tags).toEqual(['phone-numbers']);
    expect(document.paths['/api/v1/phone-numbers/{id}']?.get).toBeDefined();
    expect(document.paths['/api/v1/contacts/import']?.post?.tags).toEqual(['contacts']);
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/optin'))).toEqual([]);
  });

  it('is for admin keys only', async () => {
    const { workspaceId } = running.started;
    const reader = await running.app.modules.apiKeys.create({ workspaceId, name: 'reader', scopes: ['contacts:read', 'messages:read'] });
    expect((await api('GET', '/phone-numbers', undefined, { token: reader.key })).status).toBe(403);
    expect((await api('POST', '/phone-numbers', { provider: 'sandbox' }, { token: reader.key })).status).toBe(403);
    expect((await fetch(`${running.started.platformUrl}/api/v1/phone-numbers`)).status).toBe(401);
  });

  it("refresh stores the provider's new throughput, quality and tier, and campaigns' messaging limit follows the tier", async () => {
    const account = await sandboxAccount();
    const connected = (await api('POST', '/phone-numbers', cloudApi(account))).body;
    // Connecting already reads them.
    expect(connected).toMatchObject({ throughput_mps: 80, throughput_source: 'provider', quality_rating: 'GREEN', messaging_limit_tier: 'TIER_250', refreshed_at: expect.any(String) });
    expect((await api('GET', `/phone-numbers/${connected.id}/messaging-limit`)).body).toMatchObject({ tier: 250, source: 'provider', provider_tier: 'TIER_250' });

    await upgrade(account.phone_number.id, { throughput_mps: 1000, messaging_limit_tier: 'TIER_10K', quality_rating: 'YELLOW' });
    expect((await api('GET', `/phone-numbers/${connected.id}`)).body.throughput_mps).toBe(80);
    const refreshed = await api('POST', `/phone-numbers/${connected.id}/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ id: connected.id, throughput_mps: 1000, quality_rating: 'YELLOW', messaging_limit_tier: 'TIER_10K', webhook: connected.webhook });
    expect(refreshed.text).not.toContain(SANDBOX_TOKEN);
    expect((await api('GET', `/phone-numbers/${account.phone_number.id}`)).body).toEqual(refreshed.body);
    // The dispatcher paces the number by what it reads here.
    expect((await running.app.modules.phoneNumbers.sender(connected.id))?.throughputMps).toBe(1000);
    expect((await api('GET', `/phone-numbers/${connected.id}/messaging-limit`)).body).toMatchObject({ tier: 10_000, source: 'provider', provider_tier: 'TIER_10K', used: 0, available: 10_000 });

    await upgrade(account.phone_number.id, { messaging_limit_tier: 'TIER_UNLIMITED' });
    expect((await api('POST', `/phone-numbers/${connected.id}/refresh`)).body.messaging_limit_tier).toBe('TIER_UNLIMITED');
    expect((await api('GET', `/phone-numbers/${connected.id}/messaging-limit`)).body).toMatchObject({ tier: null, source: 'provider', available: null });
  });

  it('a tier set by hand wins over the provider until PUT {"tier": null} clears it', async () => {
    const account = await sandboxAccount();
    const connected = (await api('POST', '/phone-numbers', cloudApi(account))).body;
    await upgrade(account.phone_number.id, { messaging_limit_tier: 'TIER_100K' });
    await api('POST', `/phone-numbers/${connected.id}/refresh`);

    const lowered = await api('PUT', `/phone-numbers/${connected.id}/messaging-limit`, { tier: 2000 });
    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ tier: 2000, source: 'configured', provider_tier: 'TIER_100K' });
    // Meta keeps reporting its own tier; the override stays.
    await upgrade(account.phone_number.id, { messaging_limit_tier: 'TIER_UNLIMITED' });
    expect((await api('POST', `/phone-numbers/${connected.id}/refresh`)).body.messaging_limit_tier).toBe('TIER_UNLIMITED');
    expect((await api('GET', `/phone-numbers/${connected.id}/messaging-limit`)).body).toMatchObject({ tier: 2000, source: 'configured', provider_tier: 'TIER_UNLIMITED' });
    expect((await api('PUT', `/phone-numbers/${connected.id}/messaging-limit`, { tier: 'unlimited' })).body).toMatchObject({ tier: null, source: 'configured' });

    const cleared = await api('PUT', `/phone-numbers/${connected.id}/messaging-limit`, { tier: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ tier: null, source: 'provider', provider_tier: 'TIER_UNLIMITED' });
    await upgrade(account.phone_number.id, { messaging_limit_tier: 'TIER_2K' });
    await api('POST', `/phone-numbers/${connected.id}/refresh`);
    expect((await api('GET', `/phone-numbers/${connected.id}/messaging-limit`)).body).toMatchObject({ tier: 2000, source: 'provider' });
    // Clearing twice is harmless.
    expect((await api('PUT', `/phone-numbers/${connected.id}/messaging-limit`, { tier: null })).body).toMatchObject({ tier: 2000, source: 'provider' });
  });

  it('keeps a throughput given by hand at connect (a coexistence number) when refreshing', async () => {
    const account = await sandboxAccount();
    const connected = (await api('POST', '/phone-numbers', cloudApi(account, { throughput_mps: 20 }))).body;
    expect(connected).toMatchObject({ throughput_mps: 20, throughput_source: 'manual' });
    await upgrade(account.phone_number.id, { throughput_mps: 1000, messaging_limit_tier: 'TIER_2K' });
    expect((await api('POST', `/phone-numbers/${connected.id}/refresh`)).body).toMatchObject({ throughput_mps: 20, throughput_source: 'manual', messaging_limit_tier: 'TIER_2K' });
  });

  it('answers 404, 502 and 400 naming the field for refresh and messaging-limit mistakes', async () => {
    expect((await api('POST', '/phone-numbers/pn_nope/refresh')).body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    const account = await sandboxAccount();
    const connected = (await api('POST', '/phone-numbers', cloudApi(account))).body;
    // The provider cannot be reached: 502, and what was stored stays.
    await running.app.modules.phoneNumbers.updateEndpoint(connected.id, 'http://127.0.0.1:9', 80);
    const unreachable = await api('POST', `/phone-numbers/${connected.id}/refresh`);
    expect(unreachable.status).toBe(502);
    expect(unreachable.body.error.code).toBe('CONVERSA_ERR_PROVIDER_UNREACHABLE');
    expect((await api('GET', `/phone-numbers/${connected.id}`)).body).toMatchObject({ messaging_limit_tier: 'TIER_250', refreshed_at: connected.refreshed_at });

    for (const [body, rule] of [
      [{ tier: 300 }, /allowed values/],
      [{ tier: 'lots' }, /allowed values/],
      [{ tier: '2000' }, /allowed values/],
      [{}, /is required/],
    ] as const) {
      const bad = await api('PUT', `/phone-numbers/${connected.id}/messaging-limit`, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.tier', rule: expect.stringMatching(rule) } });
    }
    expect((await api('GET', `/phone-numbers/${connected.id}/messaging-limit`)).body.source).toBe('provider');

    const { workspaceId } = running.started;
    const reader = await running.app.modules.apiKeys.create({ workspaceId, name: 'campaign reader', scopes: ['campaigns:read'] });
    expect((await api('POST', `/phone-numbers/${connected.id}/refresh`, undefined, { token: reader.key })).status).toBe(403);
    const document = (await (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(document.paths['/api/v1/phone-numbers/{id}/refresh']?.post?.tags).toEqual(['phone-numbers']);
  });

  it('refreshes every number periodically, so a number Meta upgrades sends faster and reaches further with nobody acting', async () => {
    running = await running.restart({ build: { numberRefresh: { intervalMs: 150 } } });
    const first = running.started.sandboxNumber as Json;
    await upgrade(first.phone_number_id, { throughput_mps: 1000, messaging_limit_tier: 'TIER_100K', quality_rating: 'RED' });
    const seen = await until(async () => {
      const number = (await api('GET', `/phone-numbers/${first.id}`)).body;
      return number.messaging_limit_tier === 'TIER_100K' && number;
    }, 'the periodic refresh to read the upgrade');
    expect(seen).toMatchObject({ throughput_mps: 1000, quality_rating: 'RED' });
    expect((await running.app.modules.phoneNumbers.sender(first.id))?.throughputMps).toBe(1000);
    expect((await api('GET', `/phone-numbers/${first.id}/messaging-limit`)).body).toMatchObject({ tier: 100_000, source: 'provider' });
  });
});

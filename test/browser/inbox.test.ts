import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type CreatedUser } from '../support/users.js';
import { useApp } from '../support/use-app.js';
import { until } from '../support/wait.js';
import { unnamedControls } from './a11y.js';
import { hasChromium, launchBrowser, ONE_PIXEL_PNG, ROOT, SHOTS, warnWithoutChromium } from './support.js';

/**
 * The agent inbox in a real browser (issue 11, "Tested in a real browser"): Debian's chromium
 * driven by playwright-core against the built app (dist/web, built here when older than web/),
 * with the demo bot and the satisfaction survey flow on the embedded sandbox's number. SQLite
 * only: the database is not what this file tests.
 *
 * A customer writes on the phone page → the bot answers with its menu → they ask for a person →
 * the conversation appears in an agent's queue without a reload → the agent takes it (a second
 * agent sees it leave the queue) and replies → the phone shows the reply and its ticks → the
 * agent resolves with the survey → the survey arrives on the phone. Also: markup and a
 * `javascript:` link render as text; an agent outside the team cannot open it by URL; with the
 * window closed the composer offers templates only. Screenshots go to docs/screenshots.
 */
warnWithoutChromium('test/browser/inbox.test.ts');

describe.skipIf(!hasChromium)('the agent inbox in chromium', () => {
  const running = useApp(undefined, { env: { CONVERSA_DEMO_FLOW: 'on' } });
  let browser: Browser;
  let base: string;
  let ana: CreatedUser;
  let bruno: CreatedUser;
  let carla: CreatedUser;
  let boss: CreatedUser;
  const contexts: BrowserContext[] = [];
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  /** Every control of the page has an accessible name (Chromium's accessibility tree and the DOM). */
  const expectAllNamed = async (page: Page, where: string) => expect(await unnamedControls(page), `controls without an accessible name on ${where}`).toEqual([]);

  /** A signed-in browser window (its own cookies), in English, laptop-sized unless told. */
  const signedIn = async (user: CreatedUser, path: string, viewport = { width: 1280, height: 800 }): Promise<Page> => {
    const context = await browser.newContext({ locale: 'en-US', viewport });
    context.setDefaultTimeout(20_000); // generous: CI runs this beside other suites on 2 cores
    contexts.push(context);
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}${path}`);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return page;
  };

  beforeAll(async () => {
    base = running.started.platformUrl;
    // The satisfaction survey: a flow started by a resolve with {survey: true}.
    const csat = await running.api('POST', '/flows', readFileSync(join(ROOT, 'examples/flows/csat.yaml'), 'utf8'), { headers: { 'content-type': 'application/yaml' } });
    expect(csat.status, csat.text).toBe(201);
    expect((await running.api('POST', `/flows/${csat.body.id}/publish`, { phone_number_id: running.pn })).status).toBe(201);
    const support = [{ name: 'Suporte', queue: 'suporte' }];
    ana = await createUser(running, { role: 'agent', name: 'Ana Lima', teams: support });
    bruno = await createUser(running, { role: 'agent', name: 'Bruno Reis', teams: support });
    carla = await createUser(running, { role: 'agent', name: 'Carla Dias', teams: [{ name: 'Vendas', queue: 'vendas' }] });
    boss = await createUser(running, { role: 'admin', name: 'Paula Admin' });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });

  it('takes a customer from the bot to an agent and back, live in every browser, and keeps hostile text as text', async () => {
    // The customer, on the phone page (any signed-in person may play one while the sandbox runs).
    const phone = await signedIn(boss, '/phone', { width: 1100, height: 860 });
    await phone.getByLabel('WhatsApp number (digits)').fill('5511987650001');
    await phone.getByLabel('Name', { exact: true }).fill('Maria Souza');
    await phone.getByRole('button', { name: 'Create customer' }).click();
    const screen = phone.getByRole('region', { name: 'Phone screen' });
    await screen.getByLabel('Message', { exact: true }).fill('oi');
    await screen.getByRole('button', { name: 'Send', exact: true }).click();
    await screen.getByText('Sou o assistente da Loja Demo').waitFor();
    await expectAllNamed(phone, 'the phone page');

    // Two agents of the team watch their queue.
    const anaPage = await signedIn(ana, '/inbox?view=queue');
    const brunoPage = await signedIn(bruno, '/inbox?view=queue');
    const queueItem = (page: Page) => page.getByRole('list', { name: 'Queue' }).getByRole('link', { name: /Maria Souza/ });
    await expect(queueItem(anaPage).count()).resolves.toBe(0);
    await expectAllNamed(anaPage, 'the inbox');

    // The customer taps "Atendente": the bot hands off, and the queue shows it without a reload.
    await screen.getByRole('button', { name: 'Atendente' }).click();
    await screen.getByText('Vou passar você para uma pessoa').waitFor();
    await queueItem(anaPage).waitFor();
    await queueItem(brunoPage).waitFor();

    // Ana opens it (the handoff summary and the bot's menu are there) and takes it.
    await queueItem(anaPage).click();
    const conversation = anaPage.getByRole('region', { name: 'Conversation' });
    await conversation.getByRole('heading', { name: 'Maria Souza' }).waitFor();
    await conversation.getByLabel('Handoff').waitFor();
    await conversation.locator('li.message.out .text', { hasText: 'Sou o assistente da Loja Demo' }).waitFor();
    const conversationUrl = anaPage.url();
    await conversation.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Take' }).click();
    await conversation.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Take' }).waitFor({ state: 'detached' });
    // Bruno sees it leave the queue, live; the conversation's badge names its owner.
    await queueItem(brunoPage).waitFor({ state: 'detached' });
    await conversation.locator('.badge.agent', { hasText: 'Ana Lima' }).waitFor();

    // Opening it marked the customer's messages read: blue ticks on the phone.
    await until(async () => ((await screen.locator('.pbubble.mine[data-status="read"]').count()) > 0 ? true : undefined), 'blue ticks on the customer phone');

    // Ana replies; the phone shows it, and Ana sees it delivered and read.
    const composer = conversation.getByRole('textbox', { name: 'Message' });
    await composer.fill('Olá Maria, sou a Ana. *Como posso ajudar?*');
    await composer.press('Enter');
    await screen.getByText('Olá Maria, sou a Ana.').waitFor();
    await screen.locator('strong', { hasText: 'Como posso ajudar?' }).waitFor();
    const reply = conversation.locator('li.message.out', { hasText: 'sou a Ana' });
    await reply.locator('.ticks-read').waitFor();
    await expect(reply.locator('strong').textContent()).resolves.toBe('Como posso ajudar?');

    // A photo from the customer shows in the conversation (the media library, once downloaded).
    await screen.getByLabel('Send a photo').setInputFiles({ name: 'foto.png', mimeType: 'image/png', buffer: Buffer.from(ONE_PIXEL_PNG, 'base64') });
    const photo = conversation.locator('li.message.in.type-image img');
    await photo.waitFor();
    await until(async () => ((await photo.evaluate((img) => Number((img as unknown as { naturalWidth: number }).naturalWidth))) > 0 ? true : undefined), 'the customer photo loaded');

    // Hostile text from the customer stays text: no element, no script, no javascript: link.
    const hostile = '<img src=x onerror=alert(1)> clique javascript:alert(2) ou https://example.com/ok';
    await screen.getByLabel('Message', { exact: true }).fill(hostile);
    await screen.getByRole('button', { name: 'Send', exact: true }).click();
    const shown = conversation.locator('li.message.in', { hasText: 'onerror=alert(1)' });
    await shown.waitFor();
    await expect(shown.locator('.text').textContent()).resolves.toBe(hostile);
    await expect(shown.locator('img').count()).resolves.toBe(0);
    await expect(anaPage.locator('img[src="x"]').count()).resolves.toBe(0);
    await expect(shown.locator('a').count()).resolves.toBe(1);
    await expect(shown.locator('a').getAttribute('href')).resolves.toBe('https://example.com/ok');
    await expect(shown.locator('a').getAttribute('rel')).resolves.toBe('noopener noreferrer');
    await expect(anaPage.locator('a[href^="javascript:"]').count()).resolves.toBe(0);

    await expectAllNamed(anaPage, 'the conversation');
    await anaPage.screenshot({ path: join(SHOTS, 'conversation.png') });
    await anaPage.goto(`${base}/inbox?view=mine`);
    await anaPage.getByRole('list', { name: 'Mine' }).getByRole('link', { name: /Maria Souza/ }).click();
    await conversation.getByRole('heading', { name: 'Maria Souza' }).waitFor();
    await anaPage.screenshot({ path: join(SHOTS, 'inbox.png') });

    // An agent of another team: the conversation does not exist for her, by URL.
    const carlaPage = await signedIn(carla, new URL(conversationUrl).pathname);
    await carlaPage.getByRole('alert').filter({ hasText: 'No conversation' }).waitFor();
    await expect(carlaPage.getByText('sou a Ana').count()).resolves.toBe(0);
    await expect(carlaPage.getByText('Maria Souza').count()).resolves.toBe(0);

    // Ana resolves with the survey; it arrives on the phone.
    await anaPage.keyboard.press('e');
    const dialog = anaPage.getByRole('dialog', { name: 'Resolve' });
    await expect(dialog.getByLabel('Send the satisfaction survey').isChecked()).resolves.toBe(true);
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await screen.getByText('como você avalia o atendimento').waitFor();
    await phone.screenshot({ path: join(SHOTS, 'phone.png') });

    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 150_000);

  it('offers only templates when the customer service window is closed, and shows the supervisor board', async () => {
    const admin = await signedIn(boss, '/inbox?view=all');
    const item = admin.getByRole('list', { name: 'All' }).getByRole('link', { name: /Maria Souza/ });
    await item.waitFor();
    // 25 hours later on the sandbox clock.
    const advanced = await running.sandbox('POST', '/sandbox/v1/clock', { advance_seconds: 25 * 3600 });
    expect(advanced.status).toBe(200);
    await item.click();
    const conversation = admin.getByRole('region', { name: 'Conversation' });
    const closed = conversation.getByRole('form', { name: 'Send a template' });
    await closed.waitFor();
    await expect(conversation.getByRole('textbox', { name: 'Message' }).count()).resolves.toBe(0);
    await expect(closed.getByRole('note').textContent()).resolves.toContain('24-hour window is closed');
    await expectAllNamed(admin, 'the template composer');
    await admin.screenshot({ path: join(SHOTS, 'composer-closed-window.png') });

    await admin.getByRole('link', { name: 'Supervisor' }).click();
    await admin.getByRole('heading', { name: 'Queues' }).waitFor();
    await admin.getByRole('cell', { name: 'Ana Lima' }).waitFor();
    await expectAllNamed(admin, 'the supervisor page');
    await admin.screenshot({ path: join(SHOTS, 'supervisor.png') });
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('form', { name: 'New user' }).waitFor();
    await expectAllNamed(admin, 'the admin page');
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('works on a phone-sized screen: the list and the conversation are separate screens', async () => {
    const small = await signedIn(boss, '/inbox?view=all', { width: 390, height: 844 });
    const list = small.getByRole('list', { name: 'All' });
    const item = list.getByRole('link', { name: /Maria Souza/ });
    await item.click();
    const conversation = small.getByRole('region', { name: 'Conversation', exact: true });
    await conversation.getByRole('heading', { name: /Maria Souza/ }).waitFor();
    expect(await list.isVisible()).toBe(false); // the conversation takes the whole screen
    // Every element wider than the screen (run in the page, where `document` exists).
    const wide = (await small.evaluate(`[...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .map((element) => element.tagName.toLowerCase() + '.' + [...element.classList].join('.') + ' ' + Math.round(element.getBoundingClientRect().right))`)) as string[];
    expect(wide).toEqual([]); // nothing wider than the screen
    await small.getByRole('link', { name: 'Back to the list', exact: true }).click();
    await list.waitFor();
    expect(await conversation.isVisible()).toBe(false);
    await expectAllNamed(small, 'the inbox on a phone-sized screen');
    expect(pageErrors).toEqual([]);
  }, 30_000);
});

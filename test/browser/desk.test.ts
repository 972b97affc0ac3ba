import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type CreatedUser } from '../support/users.js';
import { useApp } from '../support/use-app.js';
import { until } from '../support/wait.js';
import { unnamedControls } from './a11y.js';
import { hasChromium, launchBrowser, ONE_PIXEL_PNG, SHOTS, warnWithoutChromium } from './support.js';

/**
 * The agent's desk in a real browser (issue 11): what test/browser/inbox.test.ts does not walk.
 * An admin creates a team with its queue and an agent (the one-time password shown once) and
 * picks the assignment strategy; the agent signs in with it and must choose a password; a
 * supervisor writes a canned reply that the agent inserts with "/" ({{contact.name}} filled);
 * the bubble says who wrote it; a note @mentions the supervisor, who finds it in their
 * mentions; labels show in the list; an image the agent attaches reaches the phone; the
 * contact panel edits an attribute and shows the consent history; snooze until the customer
 * writes (it leaves the list and comes back when they do); a transfer to another team (it
 * leaves the agent's list and appears in that team's queue, live); the supervisor's live list.
 * Every control of each page has an accessible name. SQLite only; screenshots notes.png,
 * contact-panel.png and admin.png go to docs/screenshots.
 */
warnWithoutChromium('test/browser/desk.test.ts');

describe.skipIf(!hasChromium)("the agent's desk in chromium", () => {
  const running = useApp();
  let browser: Browser;
  let base: string;
  let boss: CreatedUser;
  let sofia: CreatedUser;
  let carla: CreatedUser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const openWindow = async (viewport = { width: 1280, height: 800 }): Promise<Page> => {
    const context = await browser.newContext({ locale: 'en-US', viewport });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  };
  const signIn = async (page: Page, email: string, password: string, path: string) => {
    await page.goto(`${base}/login?next=${encodeURIComponent(path)}`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const signedIn = async (user: CreatedUser, path: string, viewport?: { width: number; height: number }) => {
    const page = await openWindow(viewport);
    await signIn(page, user.email, user.password, path);
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return page;
  };
  const expectAllNamed = async (page: Page, where: string) => expect(await unnamedControls(page), `controls without an accessible name on ${where}`).toEqual([]);

  beforeAll(async () => {
    base = running.started.platformUrl;
    boss = await createUser(running, { role: 'admin', name: 'Paula Admin' });
    sofia = await createUser(running, { role: 'supervisor', name: 'Sofia Souza' });
    carla = await createUser(running, { role: 'agent', name: 'Carla Dias', teams: [{ name: 'Vendas', queue: 'vendas' }] });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });

  it('runs a team from the admin page to notes, canned replies, labels, attachments, the contact panel, snooze and transfer', async () => {
    // The admin: a team with its queue, then an agent in it (the one-time password is shown once).
    const admin = await signedIn(boss, '/admin/teams');
    const newTeam = admin.getByRole('form', { name: 'New team' });
    await newTeam.getByLabel('Team name').fill('Suporte');
    await newTeam.getByLabel('Queue (the name a bot handoff uses)').fill('suporte');
    await newTeam.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('heading', { name: /Suporte/ }).waitFor();
    await expectAllNamed(admin, 'the teams page');
    await admin.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click();
    const newUser = admin.getByRole('form', { name: 'New user' });
    await newUser.getByLabel('E-mail').fill('ana.lima@example.com');
    await newUser.getByLabel('Name').fill('Ana Lima');
    await newUser.getByRole('checkbox', { name: 'Suporte' }).check();
    await newUser.getByRole('button', { name: 'Create' }).click();
    const secret = admin.getByRole('alert').filter({ hasText: 'One-time password for ana.lima@example.com' });
    await secret.waitFor();
    const oneTime = (await secret.getByTestId('one-time-password').textContent())!.trim();
    expect(oneTime).toMatch(/^[a-z0-9]{5}(-[a-z0-9]{5}){3}$/);
    await admin.getByRole('cell', { name: 'ana.lima@example.com' }).waitFor();
    await expectAllNamed(admin, 'the users page');
    await admin.screenshot({ path: join(SHOTS, 'admin.png') });
    await secret.getByRole('button', { name: 'I copied it' }).click();
    await expect(admin.getByTestId('one-time-password').count()).resolves.toBe(0);

    // The assignment strategy: manual by default; the admin picks one, and it holds.
    await admin.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Assignment' }).click();
    const assignment = admin.getByRole('form', { name: 'Assignment' });
    await assignment.getByRole('radio', { name: /^Manual/, checked: true }).waitFor();
    await expectAllNamed(admin, 'the assignment page');
    await assignment.getByRole('radio', { name: /^Least busy/ }).check();
    await assignment.getByRole('button', { name: 'Save' }).click();
    await assignment.getByRole('status').filter({ hasText: 'Saved: Least busy.' }).waitFor();
    await admin.reload();
    await admin.getByRole('radio', { name: /^Least busy/, checked: true }).waitFor();
    await admin.getByRole('radio', { name: /^Manual/ }).check();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('status').filter({ hasText: 'Saved: Manual.' }).waitFor();

    // Ana signs in with the one-time password and must choose her own.
    const ana = await openWindow();
    await signIn(ana, 'ana.lima@example.com', oneTime, '/inbox?view=queue');
    const change = ana.getByRole('form', { name: 'Choose your password' });
    await change.getByLabel('New password', { exact: true }).fill('ana-tem-uma-senha-boa');
    await change.getByLabel('Repeat the new password').fill('ana-tem-uma-senha-boa');
    await change.getByRole('button', { name: 'Save and continue' }).click();
    await ana.waitForURL((url) => url.pathname === '/inbox');

    // A customer writes on the phone page, with a consent on record, and is handed to the team's queue.
    const phone = await signedIn(boss, '/phone', { width: 1100, height: 860 });
    await phone.getByLabel('WhatsApp number (digits)').fill('5511987650077');
    await phone.getByLabel('Name', { exact: true }).fill('Maria Souza');
    await phone.getByRole('button', { name: 'Create customer' }).click();
    const screen = phone.getByRole('region', { name: 'Phone screen' });
    await screen.getByLabel('Message', { exact: true }).fill('Oi, meu pedido não chegou');
    await screen.getByRole('button', { name: 'Send', exact: true }).click();
    const conversation = await until(async () => (await running.api('GET', '/conversations?wa_id=5511987650077')).body.data[0], 'the conversation');
    expect((await running.api('POST', `/contacts/${conversation.contact.id}/consents`, { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Aceito receber ofertas da Loja Demo pelo WhatsApp' })).status).toBe(201);
    expect((await running.api('POST', `/conversations/${conversation.id}/handoff`, { queue: 'suporte' })).status).toBe(200);
    await expectAllNamed(phone, 'the phone page');

    // It appears in Ana's queue without a reload; she takes it.
    const item = ana.getByRole('list', { name: 'Queue' }).getByRole('link', { name: /Maria Souza/ });
    await item.click();
    const view = ana.getByRole('region', { name: 'Conversation' });
    await view.getByRole('heading', { name: 'Maria Souza' }).waitFor();
    await view.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Take' }).click();
    await view.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Take' }).waitFor({ state: 'detached' });
    await expectAllNamed(ana, 'a conversation');

    // The supervisor writes a canned reply; Ana inserts it with "/", filled for Maria, and sends it.
    const supervisor = await signedIn(sofia, '/supervisor');
    const canned = supervisor.getByRole('form', { name: 'New canned reply' });
    await canned.getByLabel('Shortcut').fill('/saudacao');
    await canned.getByLabel('Title').fill('Saudação');
    await canned.getByLabel('Text').fill('Olá {{contact.name}}, sou a {{agent.first_name}}. Já vejo seu pedido!');
    await canned.getByRole('button', { name: 'Create reply' }).click();
    await supervisor.getByRole('list', { name: 'Canned replies' }).getByText('/saudacao').waitFor();
    // Its live list: Maria's conversation, with Ana.
    const liveRow = supervisor.getByRole('table', { name: 'Conversations live' }).getByRole('row', { name: /Maria Souza/ });
    await liveRow.getByRole('cell', { name: 'Ana Lima' }).waitFor();
    await liveRow.getByRole('cell', { name: 'suporte' }).waitFor();
    await expectAllNamed(supervisor, 'the supervisor page');

    const composer = view.getByRole('textbox', { name: 'Message' });
    await composer.fill('/sauda');
    await view.getByRole('listbox', { name: 'Canned replies' }).getByRole('option', { name: /saudacao/ }).waitFor();
    await composer.press('Enter');
    await until(async () => ((await composer.inputValue()) === 'Olá Maria Souza, sou a Ana. Já vejo seu pedido!' ? true : undefined), 'the canned reply filled in the composer');
    await composer.press('Enter');
    await screen.getByText('Olá Maria Souza, sou a Ana. Já vejo seu pedido!').waitFor();
    // Its bubble says who wrote it.
    await view.locator('li.message.out', { hasText: 'Já vejo seu pedido' }).locator('.sender', { hasText: 'Ana Lima' }).waitFor();

    // Labels: added in the conversation, shown in the list.
    await view.getByLabel('Add a label').fill('VIP');
    await view.getByLabel('Add a label').press('Enter');
    await view.getByRole('button', { name: 'Remove label VIP' }).waitFor();
    await ana.goto(`${base}${new URL(ana.url()).pathname}?view=mine`);
    const mine = ana.getByRole('list', { name: 'Mine' }).getByRole('link', { name: /Maria Souza/ });
    await mine.getByText('VIP', { exact: true }).waitFor();

    // An internal note that @mentions the supervisor (picked from the list); she finds it in her mentions.
    await view.getByRole('tab', { name: 'Notes' }).click();
    const note = view.getByRole('textbox', { name: 'Note' });
    await note.fill('Cliente VIP, pedido 4471 atrasado. @sof');
    await view.getByRole('list', { name: 'Mention' }).getByRole('button', { name: '@Sofia Souza' }).click();
    await note.press('End');
    await note.pressSequentially('pode autorizar o reenvio?');
    await view.getByRole('button', { name: 'Add note' }).click();
    const written = view.getByRole('list', { name: 'Notes' }).getByRole('listitem').filter({ hasText: 'pedido 4471' });
    await written.locator('mark.mention', { hasText: '@Sofia Souza' }).waitFor();
    await expect(written.textContent()).resolves.not.toContain('usr_');
    await ana.screenshot({ path: join(SHOTS, 'notes.png') });
    const mentionsButton = supervisor.getByRole('button', { name: 'Mentions (1 unread)' });
    await mentionsButton.click();
    const mentions = supervisor.getByRole('dialog', { name: 'Mentions' });
    await mentions.getByText('pedido 4471 atrasado').waitFor();
    await expectAllNamed(supervisor, 'the mentions dialog');
    await mentions.getByRole('button', { name: /pedido 4471/ }).click();
    await supervisor.getByRole('region', { name: 'Conversation' }).getByRole('heading', { name: 'Maria Souza' }).waitFor();
    await supervisor.getByRole('button', { name: 'Mentions (0 unread)' }).waitFor();
    await view.getByRole('tab', { name: 'Messages' }).click();

    // An image attached by Ana reaches the phone (the caption is the composer's text).
    await composer.fill('Seu comprovante');
    await view.getByLabel('Attach a file').setInputFiles({ name: 'comprovante.png', mimeType: 'image/png', buffer: Buffer.from(ONE_PIXEL_PNG, 'base64') });
    await screen.locator('.pbubble.theirs[data-type="image"]', { hasText: 'Seu comprovante' }).waitFor();
    await view.locator('li.message.out.type-image img').waitFor();

    // The contact panel: edit an attribute; the consent history is there.
    await view.getByRole('button', { name: 'Show or hide the contact panel' }).click();
    const panel = view.getByRole('complementary', { name: 'Contact' });
    await panel.getByText('Aceito receber', { exact: false }).or(panel.getByText('opted_in')).first().waitFor();
    await panel.getByRole('button', { name: 'Edit attributes' }).click();
    await panel.getByLabel('New attribute').fill('pedido');
    await panel.getByRole('button', { name: 'Add attribute' }).click();
    await panel.getByLabel('pedido', { exact: true }).fill('4471');
    await panel.getByRole('button', { name: 'Save' }).click();
    await panel.locator('dl.key-values', { hasText: 'pedido' }).getByText('4471').waitFor();
    expect((await running.api('GET', `/contacts/${conversation.contact.id}`)).body.attributes).toMatchObject({ pedido: '4471' });
    await expectAllNamed(ana, 'the contact panel');
    await ana.screenshot({ path: join(SHOTS, 'contact-panel.png') });
    await view.getByRole('button', { name: 'Show or hide the contact panel' }).click();

    // Snooze until the customer writes: it leaves Ana's list; the customer writes; it is back.
    const actions = view.getByRole('toolbar', { name: 'Conversation actions' });
    await actions.getByRole('button', { name: 'Snooze' }).click();
    await ana.getByRole('dialog', { name: 'Snooze' }).getByRole('button', { name: 'Until the customer writes' }).click();
    await mine.waitFor({ state: 'detached' });
    await actions.getByRole('button', { name: 'Wake up' }).waitFor();
    await screen.getByLabel('Message', { exact: true }).fill('Alguma novidade?');
    await screen.getByRole('button', { name: 'Send', exact: true }).click();
    await mine.waitFor();
    await actions.getByRole('button', { name: 'Snooze' }).waitFor();

    // Transfer to the sales team: it leaves Ana's list and appears in Carla's queue, live.
    const carlaPage = await signedIn(carla, '/inbox?view=queue');
    const carlaQueue = carlaPage.getByRole('list', { name: 'Queue' }).getByRole('link', { name: /Maria Souza/ });
    await expect(carlaQueue.count()).resolves.toBe(0);
    await actions.getByRole('button', { name: 'Transfer' }).click();
    const transfer = ana.getByRole('dialog', { name: 'Transfer' });
    await expectAllNamed(ana, 'the transfer dialog');
    await transfer.getByRole('button', { name: /Vendas/ }).click();
    await mine.waitFor({ state: 'detached' });
    await carlaQueue.waitFor();
    await carlaQueue.getByText('VIP', { exact: true }).waitFor();
    await expectAllNamed(carlaPage, 'the inbox');

    expect(pageErrors).toEqual([]);
  }, 90_000);
});

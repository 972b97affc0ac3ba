import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BlockUsersEntry } from '../whatsapp/wire.js';
import type { SandboxEngine } from './engine.js';
import { graphErrorBody, metaFailure, type MetaFailure } from './meta-errors.js';
import { replyGraphError, unknownObject, type GraphContext } from './graph-reply.js';
import type { SandboxAutomation, SandboxPhoneNumber, SandboxQrCode } from './state.js';

/** Meta's limits (cloud-api-facts.md §1.6 and Meta's conversational automation and QR code pages). */
export const SETTINGS_LIMITS = {
  prompts: 4,
  promptLength: 80,
  commands: 30,
  commandName: 32,
  commandDescription: 256,
  usersPerRequest: 1000,
  blocklist: 64_000,
  prefilledMessage: 140,
} as const;
const WINDOW_MS = 24 * 3600 * 1000;
const BLOCK_FAILED = 'Failed to block/unblock this user';

type Body = Record<string, unknown>;

/**
 * The number's settings on the Graph API: conversational automation (welcome message, ice
 * breakers, commands), blocked users and QR codes with a prefilled message (`message_qrdls`).
 */
export async function registerGraphSettingsRoutes(app: FastifyInstance, ctx: GraphContext): Promise<void> {
  const { engine } = ctx;
  const numberOf = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): SandboxPhoneNumber | undefined => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) void replyGraphError(reply, unknownObject(request.params.id, request.method));
    return number;
  };

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/conversational_automation', async (request, reply) => {
    const number = numberOf(request, reply);
    if (!number) return reply;
    // Meta's examples pass the settings as query parameters (JSON-encoded arrays); a JSON body works too.
    const checked = checkAutomation({ ...parsedQuery(request.query as Body), ...request.body });
    if ('code' in checked) return replyGraphError(reply, checked);
    number.automation = { ...automationOf(number), ...checked };
    engine.state.touch();
    return { success: true };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/block_users', async (request, reply) => {
    const number = numberOf(request, reply);
    return number && answerBlock(reply, blockUsers(engine, number, request.body, 'block'));
  });

  app.delete<{ Params: { id: string }; Body: Body | undefined }>('/:id/block_users', async (request, reply) => {
    const number = numberOf(request, reply);
    return number && answerBlock(reply, blockUsers(engine, number, request.body, 'unblock'));
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: string; after?: string; before?: string } }>('/:id/block_users', async (request, reply) => {
    const number = numberOf(request, reply);
    if (!number) return reply;
    const limit = request.query.limit === undefined ? 100 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return replyGraphError(reply, metaFailure(100, 'limit: must be an integer from 1 to 10000'));
    const start = request.query.after === undefined ? 0 : cursorIndex(request.query.after);
    if (start === undefined) return replyGraphError(reply, metaFailure(100, 'after: is not a cursor of this list'));
    const blocked = number.blocked ?? [];
    const page = blocked.slice(start, start + limit);
    const end = start + page.length;
    return {
      data: page.map((waId) => ({ messaging_product: 'whatsapp', wa_id: waId })),
      paging: {
        cursors: { before: cursorOf(start), after: cursorOf(end) },
        ...(end < blocked.length ? { next: `${request.protocol}://${request.host}/${number.id}/block_users?limit=${limit}&after=${cursorOf(end)}` } : {}),
      },
    };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/message_qrdls', async (request, reply) => {
    const number = numberOf(request, reply);
    if (!number) return reply;
    const body = { ...(request.query as Body), ...request.body };
    const message = body.prefilled_message;
    if (message === undefined) return replyGraphError(reply, metaFailure(131008, 'prefilled_message: is required'));
    if (typeof message !== 'string' || message.trim().length === 0 || [...message].length > SETTINGS_LIMITS.prefilledMessage) {
      return replyGraphError(reply, metaFailure(100, `prefilled_message: must be a text of 1 to ${SETTINGS_LIMITS.prefilledMessage} characters`));
    }
    const format = body.generate_qr_image;
    if (format !== undefined && format !== 'PNG' && format !== 'SVG') return replyGraphError(reply, metaFailure(100, 'generate_qr_image: must be PNG or SVG'));
    const codes = (number.qrCodes ??= []);
    let qr: SandboxQrCode | undefined;
    if (body.code !== undefined) {
      qr = codes.find((c) => c.code === body.code);
      if (!qr) return replyGraphError(reply, metaFailure(100, `code: no QR code ${String(body.code)} on phone number ${number.id}`));
      qr.prefilled_message = message;
    } else {
      qr = { code: newQrCode(), prefilled_message: message, createdAt: engine.clock.now() };
      codes.push(qr);
    }
    engine.state.touch();
    const origin = `${request.protocol}://${request.host}`;
    return { ...qrRecord(qr), ...(format ? { qr_image_url: `${origin}/sandbox/v1/qr-codes/${qr.code}.${format.toLowerCase()}` } : {}) };
  });

  app.get<{ Params: { id: string }; Querystring: { code?: string } }>('/:id/message_qrdls', async (request, reply) => {
    const number = numberOf(request, reply);
    if (!number) return reply;
    const codes = (number.qrCodes ?? []).filter((c) => request.query.code === undefined || c.code === request.query.code);
    return { data: codes.map(qrRecord) };
  });

  app.get<{ Params: { id: string; code: string } }>('/:id/message_qrdls/:code', async (request, reply) => {
    const number = numberOf(request, reply);
    if (!number) return reply;
    const qr = number.qrCodes?.find((c) => c.code === request.params.code);
    return qr ? { data: [qrRecord(qr)] } : replyGraphError(reply, unknownObject(request.params.code, 'GET'));
  });

  app.delete<{ Params: { id: string; code: string } }>('/:id/message_qrdls/:code', async (request, reply) => {
    const number = numberOf(request, reply);
    if (!number) return reply;
    const index = number.qrCodes?.findIndex((c) => c.code === request.params.code) ?? -1;
    if (index < 0) return replyGraphError(reply, unknownObject(request.params.code, 'DELETE'));
    number.qrCodes?.splice(index, 1);
    engine.state.touch();
    return { success: true };
  });
}

/** A number's automation as Meta answers it (all off until set). */
export function automationOf(number: SandboxPhoneNumber): SandboxAutomation {
  return { enable_welcome_message: false, prompts: [], commands: [], ...number.automation };
}

/** Whether the number blocked this customer: Meta drops the customer's messages and refuses sends to them. */
export function isBlocked(number: SandboxPhoneNumber, waId: string): boolean {
  return number.blocked?.includes(waId) ?? false;
}

/** A QR code (by its code) and the number it belongs to. */
export function findQrCode(engine: SandboxEngine, code: string): { number: SandboxPhoneNumber; qr: SandboxQrCode } | undefined {
  for (const number of engine.state.phoneNumbers.values()) {
    const qr = number.qrCodes?.find((c) => c.code === code);
    if (qr) return { number, qr };
  }
  return undefined;
}

/** `https://wa.me/message/{code}`: the link the QR code holds. */
export function deepLinkOf(code: string): string {
  return `https://wa.me/message/${code}`;
}

function qrRecord(qr: SandboxQrCode): { code: string; prefilled_message: string; deep_link_url: string } {
  return { code: qr.code, prefilled_message: qr.prefilled_message, deep_link_url: deepLinkOf(qr.code) };
}

/** Meta's codes look like `4O4YGZEG3RIVE1`: 14 upper-case letters and digits. */
function newQrCode(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(14)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function parsedQuery(query: Body): Body {
  const out: Body = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') continue;
    try {
      out[key] = JSON.parse(value) as unknown;
    } catch {
      out[key] = value;
    }
  }
  return out;
}

function checkAutomation(body: Body): Partial<SandboxAutomation> | MetaFailure {
  const out: Partial<SandboxAutomation> = {};
  if (body.enable_welcome_message !== undefined) {
    if (typeof body.enable_welcome_message !== 'boolean') return metaFailure(100, 'enable_welcome_message: must be true or false');
    out.enable_welcome_message = body.enable_welcome_message;
  }
  if (body.prompts !== undefined) {
    const prompts = body.prompts;
    if (!Array.isArray(prompts) || prompts.length > SETTINGS_LIMITS.prompts) return metaFailure(100, `prompts: at most ${SETTINGS_LIMITS.prompts} ice breakers`);
    const bad = prompts.findIndex((p) => typeof p !== 'string' || p.trim().length === 0 || [...p].length > SETTINGS_LIMITS.promptLength);
    if (bad >= 0) return metaFailure(100, `prompts[${bad}]: must be a text of 1 to ${SETTINGS_LIMITS.promptLength} characters`);
    out.prompts = prompts as string[];
  }
  if (body.commands !== undefined) {
    const commands = body.commands;
    if (!Array.isArray(commands) || commands.length > SETTINGS_LIMITS.commands) return metaFailure(100, `commands: at most ${SETTINGS_LIMITS.commands} commands`);
    const names = new Set<string>();
    for (const [index, command] of commands.entries()) {
      const { command_name: name, command_description: description } = (command ?? {}) as Body;
      if (typeof name !== 'string' || !/^[\p{L}\p{N}_]+$/u.test(name) || [...name].length > SETTINGS_LIMITS.commandName) {
        return metaFailure(100, `commands[${index}].command_name: must be 1 to ${SETTINGS_LIMITS.commandName} letters, digits or _ (without the /)`);
      }
      if (typeof description !== 'string' || description.trim().length === 0 || [...description].length > SETTINGS_LIMITS.commandDescription) {
        return metaFailure(100, `commands[${index}].command_description: must be a text of 1 to ${SETTINGS_LIMITS.commandDescription} characters`);
      }
      if (names.has(name.toLowerCase())) return metaFailure(100, `commands[${index}].command_name: "${name}" is given twice`);
      names.add(name.toLowerCase());
    }
    out.commands = commands.map((c) => ({ command_name: (c as Body).command_name as string, command_description: (c as Body).command_description as string }));
  }
  return out;
}

type BlockOutcome = { ok: true; key: 'added_users' | 'removed_users'; done: BlockUsersEntry[]; failed: BlockUsersEntry[] } | { ok: false; failure: MetaFailure };

/**
 * Meta's block and unblock: each user succeeds or fails on its own (errors are per user), a
 * block needs a message from the user to this number in the last 24 hours, a business number
 * cannot be blocked, and the list holds at most 64,000 users. Unblocking has no 24-hour rule.
 */
function blockUsers(engine: SandboxEngine, number: SandboxPhoneNumber, rawBody: Body | undefined, action: 'block' | 'unblock'): BlockOutcome {
  const body = rawBody ?? {};
  if (body.messaging_product === undefined) return { ok: false, failure: metaFailure(131008, 'messaging_product: is required ("whatsapp")') };
  if (body.messaging_product !== 'whatsapp') return { ok: false, failure: metaFailure(100, 'messaging_product: must be "whatsapp"') };
  const users = body.block_users;
  if (!Array.isArray(users) || users.length === 0) return { ok: false, failure: metaFailure(131008, 'block_users: a list of {"user": "<phone number or wa_id>"} is required') };
  if (users.length > SETTINGS_LIMITS.usersPerRequest) return { ok: false, failure: metaFailure(100, `block_users: at most ${SETTINGS_LIMITS.usersPerRequest} users per request`) };
  const bad = users.findIndex((u) => typeof (u as Body | null)?.user !== 'string');
  if (bad >= 0) return { ok: false, failure: metaFailure(100, `block_users[${bad}].user: must be a phone number or wa_id`) };

  const blocked = (number.blocked ??= []);
  const now = engine.clock.now();
  const businessNumbers = new Set([...engine.state.phoneNumbers.values()].map((n) => n.displayPhoneNumber.replace(/\D/g, '')));
  const done: BlockUsersEntry[] = [];
  const failed: BlockUsersEntry[] = [];
  const refuse = (input: string, details: string, code = 139100, waId?: string) =>
    failed.push({ input, ...(waId ? { wa_id: waId } : {}), errors: [{ message: code === 139101 ? 'Blocklist limit reached' : BLOCK_FAILED, code, error_data: { details } }] });
  for (const { user } of users as Array<{ user: string }>) {
    const waId = user.replace(/\D/g, '');
    if (!/^\+?[\d\s()-]+$/.test(user) || waId.length < 7 || waId.length > 15) {
      refuse(user, `${user} is not a valid WhatsApp phone number or wa_id`);
      continue;
    }
    if (action === 'unblock') {
      const index = blocked.indexOf(waId);
      if (index >= 0) blocked.splice(index, 1);
      done.push({ input: user, wa_id: waId });
      continue;
    }
    if (blocked.includes(waId)) {
      done.push({ input: user, wa_id: waId });
      continue;
    }
    if (businessNumbers.has(waId)) {
      refuse(user, 'A WhatsApp Business account cannot be blocked', 139100, waId);
      continue;
    }
    const last = engine.state.phones.get(waId)?.lastInboundAt[number.id];
    if (last === undefined || now - last > WINDOW_MS) {
      refuse(user, 'Only users who messaged this business phone number in the last 24 hours can be blocked', 139100, waId);
      continue;
    }
    if (blocked.length >= SETTINGS_LIMITS.blocklist) {
      refuse(user, `The blocklist holds at most ${SETTINGS_LIMITS.blocklist} users; unblock some first`, 139101, waId);
      continue;
    }
    blocked.push(waId);
    done.push({ input: user, wa_id: waId });
  }
  engine.state.touch();
  return { ok: true, key: action === 'block' ? 'added_users' : 'removed_users', done, failed };
}

/**
 * All done: 200 with the users. Some failed: Meta's partial failure, HTTP 400 with the per-user
 * lists and the error 139100 beside them, so a client sees who was blocked and who was not.
 */
function answerBlock(reply: FastifyReply, outcome: BlockOutcome): FastifyReply {
  if (!outcome.ok) return replyGraphError(reply, outcome.failure);
  const lists = { [outcome.key]: outcome.done, ...(outcome.failed.length > 0 ? { failed_users: outcome.failed } : {}) };
  if (outcome.failed.length === 0) return reply.send({ messaging_product: 'whatsapp', block_users: lists });
  const { error } = graphErrorBody(metaFailure(139100, 'Failed to block/unblock some users; see block_users.failed_users for each one.'));
  return reply.code(400).send({ messaging_product: 'whatsapp', block_users: lists, error });
}

function cursorOf(index: number): string {
  return Buffer.from(`i:${index}`).toString('base64url');
}

function cursorIndex(cursor: string): number | undefined {
  const match = /^i:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import { findMediaReferences } from '../media/index.js';

type Json = Record<string, unknown>;

/** The contact record as the export shows it: the contact's row, its former numbers and where it is blocked. */
export interface PersonContact {
  id: string;
  wa_id: string;
  phone: string;
  user_id: string | null;
  name: string | null;
  language: string | null;
  time_zone: string | null;
  attributes: Record<string, string>;
  tags: string[];
  created_at: string;
  updated_at: string;
  /** Former numbers (the person changed number): each still finds the contact. */
  aliases: Array<{ wa_id: string; since: string }>;
}

/** One message of the person, both ways, as the export shows it. */
export interface PersonMessage {
  id: string;
  conversation_id: string;
  /** The business's number (as displayed) the message went through. */
  business_number: string | null;
  direction: 'in' | 'out';
  type: string;
  /** The readable part: a text's body, a caption, a template's name, ... (null when erased). */
  text: string | null;
  /** The content as stored (the Cloud API object); null once erased. */
  content: unknown;
  status: string;
  wamid: string | null;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
  deleted_at: string | null;
  error_code: number | null;
  error_title: string | null;
  category: string | null;
  pricing_type: string | null;
  cost_micros: number | null;
  cost_source: string | null;
  sent_by_type: string | null;
  sent_by_id: string | null;
  /** Our ids of the media the message carried (`media/` holds their bytes). */
  media_ids: string[];
}

/** A media file of the person: received from them, or sent to them in a message. */
export interface PersonMedia {
  id: string;
  direction: 'in' | 'out';
  kind: string;
  mime_type: string;
  size: number | null;
  sha256: string | null;
  filename: string | null;
  status: string;
  created_at: string;
  /** Its path in the archive (`media/<id>.<ext>`), or null when its bytes are not held (still downloading, failed). */
  file: string | null;
}

/**
 * Everything Conversa holds about one person except their messages (which {@link PersonData.messages}
 * reads in pages): every section is read from its owning table, scoped by workspace and contact.
 */
export interface PersonRecord {
  contact: PersonContact;
  /** The business numbers that blocked this person (Meta's `block_users`). */
  blocked: Array<{ business_number: string | null; wa_id: string; blocked_at: string; blocked_by: string | null }>;
  consent: { history: Json[]; state: Record<string, string> };
  conversations: Json[];
  form_submissions: Json[];
  survey_responses: Json[];
  leads: Json[];
  campaign_recipients: Json[];
  notifications: Json[];
  invoices: Json[];
  group_participations: Json[];
  media: PersonMedia[];
  /** How many messages {@link PersonData.messages} will yield (counted before the export starts). */
  message_count: number;
}

const PAGE = 500;
const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker', 'template', 'interactive'];

/**
 * Reads everything held about one person (a contact of a workspace), for the access right
 * (`GET /api/v1/contacts/{id}/export`). A cross-cutting reader: it reads the tables of the
 * contacts, consent, conversations, messaging, media, desk, chatbot, forms, leads, campaigns,
 * notifications, invoices, groups and phone-numbers modules directly (each read is listed in
 * docs/architecture.md), every query scoped by workspace and contact. It never writes.
 */
export class PersonData {
  constructor(private readonly db: Kysely<Schema>) {}

  /** The person's record, or undefined when the contact is not of the workspace. */
  async read(workspaceId: string, contactId: string): Promise<PersonRecord | undefined> {
    const row = await this.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
    if (!row) return undefined;
    const aliases = await this.db.selectFrom('contact_aliases').select(['wa_id', 'created_at']).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('created_at').execute();
    const contact: PersonContact = {
      id: row.id,
      wa_id: row.wa_id,
      phone: row.e164,
      user_id: row.user_id ?? null,
      name: row.name,
      language: row.language,
      time_zone: row.time_zone,
      attributes: parse(row.attributes, {}) as Record<string, string>,
      tags: parse(row.tags, []) as string[],
      created_at: row.created_at,
      updated_at: row.updated_at,
      aliases: aliases.map((alias) => ({ wa_id: alias.wa_id, since: alias.created_at })),
    };
    const numbers = await this.#numbers(workspaceId);
    const waIds = [contact.wa_id, ...contact.aliases.map((alias) => alias.wa_id)];
    const blocked = await this.db.selectFrom('blocked_users').selectAll().where('workspace_id', '=', workspaceId).where('wa_id', 'in', waIds).orderBy('blocked_at').execute();

    const consentRows = await this.db.selectFrom('consents').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('id').execute();
    const state: Record<string, string> = { marketing: 'none', utility: 'none' };
    for (const consent of consentRows) state[consent.purpose] = consent.status;

    const media = await this.#media(workspaceId, contactId);
    const mediaIds = media.map((item) => item.id);
    const count = await this.db.selectFrom('messages').select((eb) => eb.fn.countAll<number | string>().as('n')).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst();

    return {
      contact,
      blocked: blocked.map((block) => ({ business_number: numbers.get(block.phone_number_id) ?? null, wa_id: block.wa_id, blocked_at: block.blocked_at, blocked_by: block.blocked_by })),
      consent: {
        history: consentRows.map((consent) => ({ id: Number(consent.id), purpose: consent.purpose, status: consent.status, source: consent.source, text: consent.text, actor: consent.actor, proof: parse(consent.proof, {}), recorded_at: consent.recorded_at })),
        state,
      },
      conversations: await this.#conversations(workspaceId, contactId, numbers),
      form_submissions: (await this.db.selectFrom('form_submissions').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('submitted_at').orderBy('id').execute()).map(
        (submission) => ({ id: submission.id, flow: submission.flow, flow_version: submission.flow_version, form: submission.form, conversation_id: submission.conversation_id, fields: parse(submission.fields, {}), submitted_at: submission.submitted_at }),
      ),
      survey_responses: (await this.db.selectFrom('survey_responses').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('answered_at').orderBy('id').execute()).map(
        (response) => ({ id: response.id, flow: response.flow, kind: response.kind, score: Number(response.score), comment: response.comment, conversation_id: response.conversation_id, agent: response.agent, queue: response.queue, answered_at: response.answered_at }),
      ),
      leads: (await this.db.selectFrom('leads').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('created_at').orderBy('id').execute()).map((lead) => ({
        id: lead.id,
        source_type: lead.source_type,
        source_id: lead.source_id,
        fields: parse(lead.fields, {}),
        created_at: lead.created_at,
        updated_at: lead.updated_at,
      })),
      campaign_recipients: (
        await this.db
          .selectFrom('campaign_recipients as r')
          .innerJoin('campaigns as c', 'c.id', 'r.campaign_id')
          .select(['r.campaign_id', 'c.name as campaign_name', 'c.template_name', 'c.status as campaign_status', 'r.seq', 'r.wa_id', 'r.phone', 'r.vars', 'r.state', 'r.reason', 'r.message_id', 'r.queued_at'])
          .where('c.workspace_id', '=', workspaceId)
          .where('r.contact_id', '=', contactId)
          .orderBy('r.campaign_id')
          .orderBy('r.seq')
          .execute()
      ).map((recipient) => ({ ...recipient, seq: Number(recipient.seq), vars: recipient.vars === null ? null : parse(recipient.vars, null) })),
      notifications: (await this.db.selectFrom('notifications').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('created_at').orderBy('id').execute()).map((notification) => ({
        id: notification.id,
        business_number: numbers.get(notification.phone_number_id) ?? null,
        recipient: notification.recipient,
        template_name: notification.template_name,
        language: notification.language,
        category: notification.category,
        parameters: parse(notification.parameters, {}),
        status: notification.status,
        send_at: notification.send_at,
        postponed: notification.postponed === null ? null : parse(notification.postponed, null),
        message_id: notification.message_id,
        error_code: notification.error_code,
        error_message: notification.error_message,
        created_at: notification.created_at,
        sent_at: notification.sent_at,
        cancelled_at: notification.cancelled_at,
        refused_at: notification.refused_at,
      })),
      invoices: await this.#invoices(workspaceId, mediaIds),
      group_participations: await this.db
        .selectFrom('group_participants as p')
        .innerJoin('groups as g', 'g.id', 'p.group_id')
        .select(['p.group_id', 'g.subject', 'g.status as group_status', 'p.wa_id', 'p.status', 'p.joined_at', 'p.left_at'])
        .where('p.workspace_id', '=', workspaceId)
        .where('g.workspace_id', '=', workspaceId)
        .where('p.contact_id', '=', contactId)
        .orderBy('p.joined_at')
        .execute(),
      media,
      message_count: Number(count?.n ?? 0),
    };
  }

  /**
   * The person's messages both ways (and those they wrote in groups), oldest first, in keyset
   * pages of `pageSize`: one statement a page, so a long history is never held whole.
   */
  async *messages(workspaceId: string, contactId: string, pageSize = PAGE): AsyncGenerator<PersonMessage[]> {
    const numbers = await this.#numbers(workspaceId);
    let after: { created_at: string; id: string } | undefined;
    for (;;) {
      let query = this.db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('created_at').orderBy('id').limit(pageSize);
      if (after) {
        const last = after;
        query = query.where((eb) => eb.or([eb('created_at', '>', last.created_at), eb.and([eb('created_at', '=', last.created_at), eb('id', '>', last.id)])]));
      }
      const rows = await query.execute();
      if (rows.length > 0) {
        yield rows.map((row) => {
          const content = parse(row.content, null);
          return {
            id: row.id,
            conversation_id: row.conversation_id,
            business_number: numbers.get(row.phone_number_id) ?? null,
            direction: row.direction,
            type: row.type,
            text: textOf(row.type, content),
            content,
            status: row.status,
            wamid: row.wamid,
            created_at: row.created_at,
            sent_at: row.sent_at,
            delivered_at: row.delivered_at,
            read_at: row.read_at,
            failed_at: row.failed_at,
            deleted_at: row.deleted_at ?? null,
            error_code: row.error_code,
            error_title: row.error_title,
            category: row.category,
            pricing_type: row.pricing_type,
            cost_micros: row.cost_micros === null ? null : Number(row.cost_micros),
            cost_source: row.cost_source ?? null,
            sent_by_type: row.sent_by_type ?? null,
            sent_by_id: row.sent_by_id ?? null,
            media_ids: mediaIdsOf(row.type, content),
          };
        });
      }
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = { created_at: last.created_at, id: last.id };
    }
  }

  /** Our numbers of the workspace: row id → the number as displayed. */
  async #numbers(workspaceId: string): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('phone_numbers').select(['id', 'display_phone_number']).where('workspace_id', '=', workspaceId).execute();
    return new Map(rows.map((row) => [row.id, row.display_phone_number]));
  }

  /** The person's conversations with their owner changes, labels, internal notes and bot session. */
  async #conversations(workspaceId: string, contactId: string, numbers: Map<string, string>): Promise<Json[]> {
    const rows = await this.db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('created_at').orderBy('id').execute();
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const [labels, notes, transitions, sessions] = [
      await this.db.selectFrom('conversation_labels').select(['conversation_id', 'label', 'created_at']).where('workspace_id', '=', workspaceId).where('conversation_id', 'in', ids).orderBy('position').execute(),
      await this.db.selectFrom('conversation_notes').select(['id', 'conversation_id', 'author_id', 'text', 'created_at']).where('workspace_id', '=', workspaceId).where('conversation_id', 'in', ids).orderBy('created_at').orderBy('id').execute(),
      await this.db
        .selectFrom('conversation_transitions')
        .select(['conversation_id', 'action', 'from_type', 'from_id', 'to_type', 'to_id', 'queue', 'actor_type', 'actor_id', 'reason', 'summary', 'created_at'])
        .where('workspace_id', '=', workspaceId)
        .where('conversation_id', 'in', ids)
        .orderBy('id')
        .execute(),
      await this.db.selectFrom('bot_sessions').select(['conversation_id', 'flow_id', 'state', 'created_at', 'updated_at', 'expires_at']).where('workspace_id', '=', workspaceId).where('conversation_id', 'in', ids).execute(),
    ];
    const of = <T extends { conversation_id: string }>(list: T[], id: string) => list.filter((item) => item.conversation_id === id);
    return rows.map((row) => ({
      id: row.id,
      business_number: numbers.get(row.phone_number_id) ?? null,
      group_id: row.group_id ?? null,
      owner_type: row.owner_type,
      owner_id: row.owner_id,
      queue: row.queue,
      created_at: row.created_at,
      last_inbound_at: row.last_inbound_at,
      last_message_at: row.last_message_at,
      window_expires_at: row.window_expires_at,
      resolved_at: row.resolved_at,
      labels: of(labels, row.id).map((label) => label.label),
      notes: of(notes, row.id).map(({ conversation_id: _, ...note }) => note),
      transitions: of(transitions, row.id).map(({ conversation_id: _, ...transition }) => ({ ...transition, summary: transition.summary === null ? null : parse(transition.summary, null) })),
      bot_session: of(sessions, row.id).map(({ conversation_id: _, ...session }) => ({ ...session, state: parse(session.state, null) }))[0] ?? null,
    }));
  }

  /**
   * The media of the person: files they sent (the inbound messages that carried them) and
   * files sent to them (named by our id in their outbound messages: a document, an image, a
   * template's header), each once.
   */
  async #media(workspaceId: string, contactId: string): Promise<PersonMedia[]> {
    const ids = new Set<string>();
    const inbound = await this.db
      .selectFrom('media')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('source_message_id', 'in', (eb) => eb.selectFrom('messages').select('id').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).where('direction', '=', 'in'))
      .execute();
    for (const row of inbound) ids.add(row.id);
    let after: string | undefined;
    for (;;) {
      let query = this.db.selectFrom('messages').select(['id', 'type', 'content']).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).where('type', 'in', MEDIA_TYPES).orderBy('id').limit(PAGE);
      if (after !== undefined) query = query.where('id', '>', after);
      const rows = await query.execute();
      for (const row of rows) for (const id of mediaIdsOf(row.type, parse(row.content, null))) ids.add(id);
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) break;
      after = last.id;
    }
    if (ids.size === 0) return [];
    const found: PersonMedia[] = [];
    const list = [...ids];
    for (let i = 0; i < list.length; i += PAGE) {
      const rows = await this.db.selectFrom('media').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', list.slice(i, i + PAGE)).execute();
      for (const row of rows) {
        const held = row.status === 'ready' && row.storage_key !== null;
        found.push({
          id: row.id,
          direction: row.direction,
          kind: row.kind,
          mime_type: row.mime_type,
          size: row.size === null ? null : Number(row.size),
          sha256: row.sha256,
          filename: row.filename,
          status: row.status,
          created_at: row.created_at,
          file: held ? `media/${row.id}${extensionOf(row.mime_type)}` : null,
        });
      }
    }
    return found.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  /**
   * Invoices have no contact: an invoice is the person's when its PDF (or its Pix QR) went to
   * them, i.e. one of their messages named its media (a document message or a notification's
   * template header).
   */
  async #invoices(workspaceId: string, mediaIds: string[]): Promise<Json[]> {
    if (mediaIds.length === 0) return [];
    const found = new Map<string, Json>();
    for (let i = 0; i < mediaIds.length; i += PAGE) {
      const chunk = mediaIds.slice(i, i + PAGE);
      const rows = await this.db
        .selectFrom('invoices')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where((eb) => eb.or([eb('media_id', 'in', chunk), eb('pix_qr_media_id', 'in', chunk)]))
        .execute();
      for (const row of rows) {
        found.set(row.id, {
          id: row.id,
          number: row.number,
          issue_date: row.issue_date,
          due_date: row.due_date,
          customer_name: row.customer_name,
          currency: row.currency,
          total_cents: Number(row.total_cents),
          data: parse(row.data, {}),
          media_id: row.media_id,
          filename: row.filename,
          pix_code: row.pix_code,
          pix_qr_media_id: row.pix_qr_media_id,
          payment_link: row.payment_link,
          created_at: row.created_at,
        });
      }
    }
    return [...found.values()].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  }
}

/** The readable part of a message's content (what a person would call its text). */
export function textOf(type: string, content: unknown): string | null {
  if (!isObject(content)) return null;
  const body = content[type];
  if (type === 'text' && isObject(body)) return str(body.body);
  if (type === 'reaction' && isObject(body)) return str(body.emoji);
  if (type === 'location' && isObject(body)) return [str(body.name), str(body.address), body.latitude !== undefined ? `${String(body.latitude)},${String(body.longitude)}` : null].filter(Boolean).join(' — ') || null;
  if (type === 'template' && isObject(body)) return `template ${str(body.name) ?? ''}`.trim();
  if (type === 'button' && isObject(body)) return str(body.text);
  if (type === 'interactive' && isObject(body)) {
    for (const key of ['button_reply', 'list_reply', 'nfm_reply']) {
      const reply = body[key];
      if (isObject(reply)) return str(reply.title) ?? str(reply.body) ?? (typeof reply.response_json === 'string' ? reply.response_json : null);
    }
    return isObject(body.body) ? str(body.body.text) : null;
  }
  if (isObject(body)) return str(body.caption) ?? str(body.filename);
  return null;
}

/** Our media ids a message names: an inbound file (`media_id`) or the outbound message's media objects. */
function mediaIdsOf(type: string, content: unknown): string[] {
  if (!isObject(content)) return [];
  const ids = new Set<string>();
  if (typeof content.media_id === 'string') ids.add(content.media_id);
  for (const reference of findMediaReferences({ ...content, type })) ids.add(reference.object.id);
  return [...ids];
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'audio/ogg': '.ogg',
  'audio/mpeg': '.mp3',
  'audio/mp4': '.m4a',
  'audio/aac': '.aac',
  'audio/amr': '.amr',
  'video/mp4': '.mp4',
  'video/3gpp': '.3gp',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
};

/** A file extension for a media type (`.bin` when unknown): archive names never come from a sender's file name. */
function extensionOf(mimeType: string): string {
  return EXTENSIONS[mimeType.split(';')[0]?.trim().toLowerCase() ?? ''] ?? '.bin';
}

function parse(text: string | null, fallback: unknown): unknown {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

import type { Clock } from '../../clock/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { MessageType, TemplateComponentDefinition } from '../../whatsapp/index.js';
import type { BotView, Chatbot } from '../chatbot/index.js';
import { normalizePhone } from '../contacts/index.js';
import type { Conversations, Inbox, InboxConversation, InboxCounts, InboxView, InboxViewer, Ownership, TransitionView } from '../conversations/index.js';
import type { MediaLibrary } from '../media/index.js';
import { priceMessage, type MessageHistory, type Messages, type ReadReceipts, type SendOutcome, type SendService } from '../messaging/index.js';
import type { PhoneNumbers } from '../phone-numbers/index.js';
import type { PreviewParams, TemplateService, TemplateView } from '../templates/index.js';
import { canSeeConversation, type Viewer } from '../users/index.js';

/** What the inbox needs to know about the workspace's people (the users module answers). */
export interface InboxPeople {
  /** An active user of the workspace, or undefined. */
  activeUser(workspaceId: string, userId: string): Promise<{ id: string } | undefined>;
  /** A team of the workspace and the queue it works, or undefined. */
  team(workspaceId: string, teamId: string): Promise<{ id: string; queue: string } | undefined>;
}

export interface AgentInboxDeps {
  inbox: Inbox;
  conversations: Pick<Conversations, 'snooze' | 'unsnooze'>;
  ownership: Pick<Ownership, 'transaction' | 'assign' | 'unassign' | 'handoff' | 'resolve'>;
  sender: Pick<SendService, 'send'>;
  history: Pick<MessageHistory, 'page'>;
  readReceipts: Pick<ReadReceipts, 'markConversationRead'>;
  chatbot: Pick<Chatbot, 'botView'>;
  templates: Pick<TemplateService, 'list' | 'get' | 'preview'>;
  phoneNumbers: Pick<PhoneNumbers, 'resolve'>;
  people: InboxPeople;
  clock: Clock;
  /** Which conversation a message, or an attachment sent by id, belongs to (media rights). */
  messages: Pick<Messages, 'get' | 'conversationsSending'>;
  media: Pick<MediaLibrary, 'get'>;
}

/** A conversation with what the agent's screen shows beside the messages. */
export interface ConversationDetail {
  conversation: InboxConversation;
  /** The bot's part: its running session (variables) and its latest log lines. */
  bot: BotView;
  /** What the composer may send now: free text inside the window, templates only outside it. */
  composer: { mode: 'free' | 'templates_only'; window_expires_at: string | null };
}

/** A template the composer offers, with what it needs and what it costs to this contact now. */
export interface ComposerTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  components: TemplateComponentDefinition[];
  parameter_format: TemplateView['parameter_format'];
  /** The values a send must give: the header's (text variables or a media kind), the body's, the buttons'. */
  parameters: {
    header: { type: 'text'; variables: string[] } | { type: 'image' | 'video' | 'gif' | 'document' | 'location' } | null;
    body: string[];
    buttons: Array<{ index: number; type: string; variables: string[] }>;
  };
  /** What one delivered message costs (per-message pricing, the recipient's country). */
  cost: { currency: 'USD'; amount_micros: number; pricing_type: string; category: string };
}

export type InboxOutcome<T> = { ok: true; value: T } | { ok: false; error: AppErrorValue };
export type TransitionAnswer = InboxOutcome<{ conversation: InboxConversation; transition: TransitionView | null }>;

/** `{ until }` a time, or `{ untilNextMessage: true }`. */
export type SnoozeRequest = { until: Date } | { untilNextMessage: true };
/** Where a transfer sends the conversation: a person of the workspace or a team's queue. */
export type TransferTarget = { userId: string } | { teamId: string };

const MAX_TEMPLATES = 100;

/**
 * The agent inbox over the platform's modules (docs/inbox.md, "The inbox API"): the views a
 * signed-in person sees, a conversation with the bot's part, its history, sending through the
 * send policy, read receipts, typing, and moving ownership as a person: take, assign, transfer,
 * resolve; snooze; the templates the composer offers.
 *
 * Every method takes the `Viewer` and answers `CONVERSA_ERR_NOT_FOUND` for a conversation the
 * viewer may not see (`canSeeConversation`), exactly as for one that does not exist: an agent
 * outside its teams learns nothing, not even that it exists.
 */
export class AgentInbox {
  constructor(private readonly deps: AgentInboxDeps) {}

  /** A page of one view, newest activity first; `search` matches name, number and text. */
  async list(viewer: Viewer, options: { view: InboxView; search?: string | undefined; limit: number; cursor?: string | undefined }) {
    return this.deps.inbox.list(viewer.workspaceId, { limit: options.limit, cursor: options.cursor, messages: 0, view: { viewer: inboxViewer(viewer), name: options.view }, search: options.search });
  }

  /**
   * Whether the viewer may read a media file: admins and supervisors any of their workspace; an
   * agent one received in, or sent to, a conversation they may see (an upload not sent yet: no).
   */
  async mayReadMedia(viewer: Viewer, mediaId: string): Promise<boolean> {
    if (viewer.role !== 'agent') return true;
    const media = await this.deps.media.get(viewer.workspaceId, mediaId);
    if (!media) return true; // the content route answers 404 itself
    const conversations = media.source_message_id
      ? [(await this.deps.messages.get(viewer.workspaceId, media.source_message_id))?.conversation_id]
      : await this.deps.messages.conversationsSending(viewer.workspaceId, media.id);
    for (const id of conversations) if (id && (await this.find(viewer, id))) return true;
    return false;
  }

  /** How many conversations each view holds for the viewer. */
  counts(viewer: Viewer): Promise<InboxCounts> {
    return this.deps.inbox.counts(viewer.workspaceId, inboxViewer(viewer));
  }

  /** A conversation the viewer may see, or undefined (also for one that exists but is not theirs to see). */
  async find(viewer: Viewer, id: string, messages = 0): Promise<InboxConversation | undefined> {
    const conversation = await this.deps.inbox.get(viewer.workspaceId, id, { messages });
    if (!conversation) return undefined;
    const scope = { workspace_id: viewer.workspaceId, owner_type: conversation.owner.type, owner_id: conversation.owner.id, queue: conversation.queue };
    return canSeeConversation(viewer, scope) ? conversation : undefined;
  }

  async detail(viewer: Viewer, id: string): Promise<InboxOutcome<ConversationDetail>> {
    const conversation = await this.find(viewer, id, 5);
    if (!conversation) return notFound(id);
    const bot = (await this.deps.chatbot.botView(viewer.workspaceId, id)) ?? { session: null, log: [] };
    return { ok: true, value: { conversation, bot, composer: { mode: conversation.window_open ? 'free' : 'templates_only', window_expires_at: conversation.window_expires_at } } };
  }

  async history(viewer: Viewer, id: string, page: { limit: number; cursor?: string | undefined }) {
    if (!(await this.find(viewer, id))) return { ok: false as const, reason: 'not_found' as const };
    return this.deps.history.page(viewer.workspaceId, id, page);
  }

  /**
   * Sends to the conversation's contact from its number through `SendService.send`: the same
   * content checks (400) and policy (window, consent, template, price: 422) as `POST
   * /api/v1/messages`, the same Idempotency-Key rule.
   */
  async send(viewer: Viewer, id: string, message: { type: MessageType; content: unknown; context?: { message_id: string } | undefined }, idempotencyKey?: string): Promise<SendOutcome | { ok: false; error: AppErrorValue<'CONVERSA_ERR_NOT_FOUND'> }> {
    const conversation = await this.find(viewer, id);
    if (!conversation) return notFound(id);
    return this.deps.sender.send(viewer.workspaceId, { to: conversation.contact.wa_id, conversationId: id, type: message.type, content: message.content, context: message.context }, idempotencyKey, { sentBy: { type: 'agent', id: viewer.userId } });
  }

  /** Blue ticks on the contact's latest message (with `typing`, "typing…" too). */
  async markRead(viewer: Viewer, id: string, typing: boolean) {
    if (!(await this.find(viewer, id))) return { ok: false as const, reason: 'not_found' as const };
    return this.deps.readReceipts.markConversationRead(viewer.workspaceId, id, { typing });
  }

  /** The viewer takes a conversation (from its queue): refused when someone else has it. */
  async take(viewer: Viewer, id: string): Promise<TransitionAnswer> {
    if (!(await this.find(viewer, id))) return notFound(id);
    return this.#move(viewer, id, (trx, target) => this.deps.ownership.assign(trx, { ...target, agentId: viewer.userId }));
  }

  /** A supervisor or admin gives the conversation to a person of the workspace (from anyone). */
  async assign(viewer: Viewer, id: string, userId: string): Promise<TransitionAnswer> {
    if (viewer.role === 'agent') return { ok: false, error: appError('CONVERSA_ERR_FORBIDDEN', 'Only supervisors and admins assign conversations; take it, or transfer your own.') };
    if (!(await this.find(viewer, id))) return notFound(id);
    if (!(await this.deps.people.activeUser(viewer.workspaceId, userId))) return invalid('body.user_id', 'must be an active user of this workspace');
    return this.#move(viewer, id, (trx, target) => this.deps.ownership.assign(trx, { ...target, agentId: userId, transfer: true }));
  }

  /**
   * Passes the conversation to a person (a transfer) or to a team's queue (where the
   * workspace's assignment strategy may give it to one of the team). An agent transfers only
   * what they may work on: their own conversations and those waiting in their teams' queues.
   */
  async transfer(viewer: Viewer, id: string, to: TransferTarget, reason?: string): Promise<TransitionAnswer> {
    const conversation = await this.find(viewer, id);
    if (!conversation) return notFound(id);
    const refused = worksOn(viewer, conversation, 'transfer');
    if (refused) return refused;
    if ('userId' in to) {
      if (!(await this.deps.people.activeUser(viewer.workspaceId, to.userId))) return invalid('body.user_id', 'must be an active user of this workspace');
      return this.#move(viewer, id, (trx, target) => this.deps.ownership.assign(trx, { ...target, agentId: to.userId, transfer: true, reason }));
    }
    const team = await this.deps.people.team(viewer.workspaceId, to.teamId);
    if (!team) return invalid('body.team_id', 'must be a team of this workspace');
    return this.#move(viewer, id, (trx, target) =>
      conversation.owner.type === 'agent' ? this.deps.ownership.unassign(trx, { ...target, queue: team.queue, reason }) : this.deps.ownership.handoff(trx, { ...target, queue: team.queue, reason }),
    );
  }

  /** Resolves the conversation (back to the bot), with the bot's satisfaction survey when `survey`. */
  async resolve(viewer: Viewer, id: string, survey: boolean): Promise<TransitionAnswer> {
    const conversation = await this.find(viewer, id);
    if (!conversation) return notFound(id);
    const refused = worksOn(viewer, conversation, 'resolve');
    if (refused) return refused;
    return this.#move(viewer, id, (trx, target) => this.deps.ownership.resolve(trx, { ...target, survey }));
  }

  /** Out of the viewer's "mine" view until a time or the customer's next message (which wakes it either way). */
  async snooze(viewer: Viewer, id: string, request: SnoozeRequest): Promise<InboxOutcome<InboxConversation>> {
    if (!(await this.find(viewer, id))) return notFound(id);
    if ('until' in request && request.until.getTime() <= this.deps.clock.now().getTime()) return invalid('body.until', 'must be in the future');
    await this.deps.conversations.snooze(viewer.workspaceId, id, request);
    return this.#current(viewer, id);
  }

  async unsnooze(viewer: Viewer, id: string): Promise<InboxOutcome<InboxConversation>> {
    if (!(await this.find(viewer, id))) return notFound(id);
    await this.deps.conversations.unsnooze(viewer.workspaceId, id);
    return this.#current(viewer, id);
  }

  /**
   * The approved templates of the conversation's number (its WABA), each with the values a send
   * needs and what it costs to this contact now (a utility template is free inside the window).
   */
  async templates(viewer: Viewer, id: string): Promise<InboxOutcome<{ window_open: boolean; data: ComposerTemplate[] }>> {
    const conversation = await this.find(viewer, id);
    if (!conversation) return notFound(id);
    const number = await this.deps.phoneNumbers.resolve(viewer.workspaceId, conversation.phone_number_id);
    if (!number) return notFound(id);
    const { data } = await this.deps.templates.list(viewer.workspaceId, { limit: MAX_TEMPLATES, status: 'APPROVED', wabaId: number.waba_id });
    const phone = normalizePhone(`+${conversation.contact.wa_id}`);
    const country = phone.ok ? phone.country : undefined;
    const now = this.deps.clock.forNumber(number).toISOString();
    const freeEntryPoint = conversation.free_entry_point_until !== null && conversation.free_entry_point_until >= now;
    const sorted = [...data].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
    return {
      ok: true,
      value: {
        window_open: conversation.window_open,
        data: sorted.map((template) => {
          const category = template.category.toLowerCase() as 'marketing' | 'utility' | 'authentication';
          const pricingType = freeEntryPoint ? 'free_entry_point' : category === 'utility' && conversation.window_open ? 'free_customer_service' : 'regular';
          const cost = priceMessage(category, pricingType, country);
          return {
            id: template.id,
            name: template.name,
            language: template.language,
            category: template.category,
            components: template.components,
            parameter_format: template.parameter_format,
            parameters: parametersOf(template.components),
            cost: { currency: cost.currency, amount_micros: cost.amountMicros, pricing_type: pricingType, category },
          };
        }),
      },
    };
  }

  /** A template of the conversation's number as the customer would read it with `params`. */
  async previewTemplate(viewer: Viewer, id: string, templateId: string, params: PreviewParams | undefined) {
    const conversation = await this.find(viewer, id);
    if (!conversation) return notFound(id);
    const number = await this.deps.phoneNumbers.resolve(viewer.workspaceId, conversation.phone_number_id);
    const template = await this.deps.templates.get(viewer.workspaceId, templateId);
    if (!number || !template.ok || template.value.waba_id !== number.waba_id) return { ok: false as const, error: appError('CONVERSA_ERR_NOT_FOUND', `No template ${templateId} for this conversation's number.`) };
    const preview = await this.deps.templates.preview(viewer.workspaceId, templateId, { params: params ?? {} });
    return preview.ok ? { ok: true as const, value: preview.value } : { ok: false as const, error: appError('CONVERSA_ERR_NOT_FOUND', preview.error.message) };
  }

  async #move(viewer: Viewer, id: string, run: Parameters<typeof moveWith>[2]): Promise<TransitionAnswer> {
    const outcome = await moveWith(this.deps.ownership, { workspaceId: viewer.workspaceId, conversationId: id, actor: { type: 'user', id: viewer.userId } }, run);
    if (!outcome.ok) return { ok: false, error: outcome.error };
    // As it is now: automatic assignment may have given a conversation handed to a queue to someone.
    const conversation = await this.deps.inbox.get(viewer.workspaceId, id, { messages: 5 });
    if (!conversation) return notFound(id);
    return { ok: true, value: { conversation, transition: outcome.transition } };
  }

  async #current(viewer: Viewer, id: string): Promise<InboxOutcome<InboxConversation>> {
    const conversation = await this.deps.inbox.get(viewer.workspaceId, id, { messages: 5 });
    return conversation ? { ok: true, value: conversation } : notFound(id);
  }
}

type Target = { workspaceId: string; conversationId: string; actor: { type: 'user'; id: string } };

function moveWith(
  ownership: AgentInboxDeps['ownership'],
  target: Target,
  run: (trx: Parameters<Parameters<AgentInboxDeps['ownership']['transaction']>[0]>[0], target: Target) => ReturnType<Ownership['assign']>,
): ReturnType<Ownership['assign']> {
  return ownership.transaction((trx) => run(trx, target));
}

/** What the inbox list needs of a viewer: who, their queues, and whether they see everything. */
export function inboxViewer(viewer: Viewer): InboxViewer {
  return { userId: viewer.userId, queues: viewer.queues, seesAll: viewer.role !== 'agent' };
}

/** Agents move only what they work on: their own conversations, or those waiting in their queues. */
function worksOn(viewer: Viewer, conversation: InboxConversation, action: string): { ok: false; error: AppErrorValue } | undefined {
  if (viewer.role !== 'agent') return undefined;
  if (conversation.owner.type === 'agent' && conversation.owner.id !== viewer.userId) {
    return { ok: false, error: appError('CONVERSA_ERR_FORBIDDEN', `A colleague works on this conversation: only they, a supervisor or an admin may ${action} it.`) };
  }
  return undefined;
}

function notFound(id: string): { ok: false; error: AppErrorValue<'CONVERSA_ERR_NOT_FOUND'> } {
  return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `No conversation ${id}.`) };
}

function invalid(field: string, rule: string): { ok: false; error: AppErrorValue<'CONVERSA_ERR_VALIDATION'> } {
  return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${field}: ${rule}`, { field, rule }) };
}

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function variablesOf(text: string | undefined): string[] {
  const names: string[] = [];
  for (const match of (text ?? '').matchAll(VARIABLE)) if (!names.includes(match[1] as string)) names.push(match[1] as string);
  return names;
}

/** The values a template's send needs, read from its definition. */
function parametersOf(components: TemplateComponentDefinition[]): ComposerTemplate['parameters'] {
  const find = (type: TemplateComponentDefinition['type']) => components.find((c) => String(c.type).toUpperCase() === type);
  const header = find('HEADER');
  const format = String(header?.format ?? 'TEXT').toUpperCase();
  return {
    header: !header ? null : format === 'TEXT' ? { type: 'text', variables: variablesOf(header.text) } : { type: format.toLowerCase() as 'image' | 'video' | 'gif' | 'document' | 'location' },
    body: variablesOf(find('BODY')?.text),
    buttons: (find('BUTTONS')?.buttons ?? []).flatMap((button, index) => {
      const type = String(button.type).toUpperCase();
      if (type === 'URL' && variablesOf(button.url).length > 0) return [{ index, type, variables: variablesOf(button.url) }];
      if (type === 'COPY_CODE') return [{ index, type, variables: ['coupon_code'] }];
      return [];
    }),
  };
}

import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import type { Chatbot } from '../chatbot/index.js';
import type { ConsentLedger, ConsentRecord } from '../consent/index.js';
import type { Contacts, ContactView } from '../contacts/index.js';
import type { ConversationView, Inbox, InboxConversation, Ownership } from '../conversations/index.js';
import type { Events } from '../events/index.js';
import type { FormSubmissions, FormSubmissionView } from '../forms/index.js';
import { canSeeConversation, type Viewer } from '../users/index.js';
import { renderCannedText } from './canned-variables.js';
import { CannedReplies } from './canned-replies.js';
import { Labels } from './labels.js';
import { Notes } from './notes.js';
import type { DeskPeople } from './ports.js';
import { SupervisorBoards } from './supervisor-board.js';

export interface DeskDeps {
  db: Kysely<Schema>;
  events: Pick<Events, 'record'>;
  people: DeskPeople;
  clock: Clock;
  conversations: { get(workspaceId: string, id: string): Promise<ConversationView | undefined> };
  inbox: Pick<Inbox, 'list'>;
  ownership: Pick<Ownership, 'transitions'>;
  contacts: Pick<Contacts, 'get'>;
  consent: Pick<ConsentLedger, 'history'>;
  chatbot: Pick<Chatbot, 'botView'>;
  formSubmissions: Pick<FormSubmissions, 'list'>;
}

/** One stretch of a conversation with people: from a handoff to its resolve (or now). */
export interface Episode {
  handed_off_at: string;
  queue: string | null;
  reason: string | null;
  /** The agents who owned it, in order. */
  agents: string[];
  resolved_at: string | null;
}

/** The contact panel beside a conversation. */
export interface ContactPanel {
  contact: ContactView;
  consent: ConsentRecord[];
  /** The contact's conversations the viewer may see, most recent first, each with its labels and its stretches with people. */
  conversations: Array<{
    id: string;
    phone_number_id: string;
    owner: InboxConversation['owner'];
    queue: string | null;
    resolved_at: string | null;
    window_open: boolean;
    last_activity_at: string;
    last_message: InboxConversation['last_message'];
    labels: string[];
    episodes: Episode[];
  }>;
  /** The bot's session in the current conversation (the one asked for, else the most recent): its flow and variables. */
  bot: { conversation_id: string; flow: string; version: number; waiting: string | null; vars: Record<string, unknown>; started_at: string; expires_at: string } | null;
  form_submissions: FormSubmissionView[];
}

/** How many of a contact's conversations and submissions the panel shows. */
const PANEL_LIMITS = { conversations: 50, submissions: 20, transitions: 200 } as const;

/**
 * The agent's desk beside a conversation (issue 11): notes with @mentions, labels, canned
 * replies, the contact panel and the supervisor's board, with who may see what. Every method
 * that takes a conversation or a contact answers undefined when the viewer may not see it
 * (the HTTP edge answers 404, as for one that does not exist).
 */
export class Desk {
  readonly notes: Notes;
  readonly labels: Labels;
  readonly cannedReplies: CannedReplies;
  readonly boards: SupervisorBoards;

  constructor(private readonly deps: DeskDeps) {
    this.notes = new Notes({ db: deps.db, events: deps.events, people: deps.people, clock: deps.clock });
    this.labels = new Labels({ db: deps.db, events: deps.events, clock: deps.clock });
    this.cannedReplies = new CannedReplies({ db: deps.db, clock: deps.clock });
    this.boards = new SupervisorBoards({ db: deps.db, people: deps.people, clock: deps.clock });
  }

  /** The conversation, when the viewer may see it (src/modules/users/viewer.ts). */
  async conversationFor(viewer: Viewer, conversationId: string): Promise<ConversationView | undefined> {
    const conversation = await this.deps.conversations.get(viewer.workspaceId, conversationId);
    if (!conversation || !canSeeConversation(viewer, scopeOf(viewer.workspaceId, conversation))) return undefined;
    return conversation;
  }

  /**
   * The contact and its conversations the viewer may see, when the viewer may see the contact:
   * admins and supervisors see every contact of the workspace; an agent a contact one of whose
   * conversations they may see.
   */
  async contactFor(viewer: Viewer, contactId: string): Promise<{ contact: ContactView; conversations: InboxConversation[] } | undefined> {
    const contact = await this.deps.contacts.get(viewer.workspaceId, contactId);
    if (!contact) return undefined;
    const page = await this.deps.inbox.list(viewer.workspaceId, { contactId, limit: PANEL_LIMITS.conversations });
    const all = page.ok ? page.data : [];
    const conversations = all.filter((conversation) => canSeeConversation(viewer, scopeOf(viewer.workspaceId, conversation)));
    if (viewer.role === 'agent' && conversations.length === 0) return undefined;
    return { contact, conversations };
  }

  /** The contact panel; `conversationId` picks the conversation whose bot session it shows. */
  async panel(viewer: Viewer, contactId: string, conversationId?: string): Promise<ContactPanel | undefined> {
    const found = await this.contactFor(viewer, contactId);
    if (!found) return undefined;
    const { contact, conversations } = found;
    const [consent, submissions, rows] = await Promise.all([
      this.deps.consent.history(viewer.workspaceId, contactId),
      this.deps.formSubmissions.list(viewer.workspaceId, { contactId, limit: PANEL_LIMITS.submissions }),
      Promise.all(
        conversations.map(async (conversation) => ({
          id: conversation.id,
          phone_number_id: conversation.phone_number_id,
          owner: conversation.owner,
          queue: conversation.queue,
          resolved_at: conversation.resolved_at,
          window_open: conversation.window_open,
          last_activity_at: conversation.last_activity_at,
          last_message: conversation.last_message,
          labels: await this.labels.of(viewer.workspaceId, conversation.id),
          episodes: await this.#episodes(viewer.workspaceId, conversation.id),
        })),
      ),
    ]);
    const current = conversationId !== undefined ? conversations.find((conversation) => conversation.id === conversationId) : conversations[0];
    const view = current ? await this.deps.chatbot.botView(viewer.workspaceId, current.id) : undefined;
    const session = view?.session;
    return {
      contact,
      consent,
      conversations: rows,
      bot: current && session ? { conversation_id: current.id, flow: session.flow, version: session.version, waiting: session.waiting, vars: session.vars, started_at: session.started_at, expires_at: session.expires_at } : null,
      form_submissions: submissions.ok ? submissions.data : [],
    };
  }

  /** A canned reply filled for a conversation the viewer may see (undefined: either is not there for them). */
  async render(viewer: Viewer, replyId: string, conversationId: string): Promise<{ text: string; missing: string[] } | undefined> {
    const reply = await this.cannedReplies.get(viewer.workspaceId, replyId);
    const conversation = reply ? await this.conversationFor(viewer, conversationId) : undefined;
    if (!reply || !conversation) return undefined;
    const contact = await this.deps.contacts.get(viewer.workspaceId, conversation.contact_id);
    if (!contact) return undefined;
    const bot = await this.deps.chatbot.botView(viewer.workspaceId, conversation.id);
    return renderCannedText(reply.text, {
      contact: { name: contact.name, wa_id: contact.wa_id, phone: contact.phone, attributes: contact.attributes },
      agent: { name: viewer.name, email: viewer.email },
      conversation: { queue: conversation.queue },
      botVars: bot?.session?.vars ?? {},
    });
  }

  async #episodes(workspaceId: string, conversationId: string): Promise<Episode[]> {
    const page = await this.deps.ownership.transitions(workspaceId, conversationId, { limit: PANEL_LIMITS.transitions });
    if (!page.ok) return [];
    const episodes: Episode[] = [];
    let open: Episode | undefined;
    for (const transition of page.data) {
      if (transition.action === 'handoff') {
        open = { handed_off_at: transition.created_at, queue: transition.queue, reason: transition.reason, agents: [], resolved_at: null };
        episodes.push(open);
      } else if (open) {
        if (transition.to.type === 'agent' && transition.to.id && open.agents.at(-1) !== transition.to.id) open.agents.push(transition.to.id);
        if (transition.action === 'resolve') {
          open.resolved_at = transition.created_at;
          open = undefined;
        }
      }
    }
    return episodes.reverse();
  }
}

function scopeOf(workspaceId: string, conversation: Pick<ConversationView, 'owner' | 'queue'>) {
  return { workspace_id: workspaceId, owner_type: conversation.owner.type, owner_id: conversation.owner.id, queue: conversation.queue };
}

import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { Database } from '../db/index.js';
import type { AgentInbox, Assignment } from '../modules/agent-inbox/index.js';
import type { ApiKeys } from '../modules/api-keys/index.js';
import type { AuditLog } from '../modules/audit/index.js';
import type { PhoneNumberRefresher, PhoneNumbers } from '../modules/phone-numbers/index.js';
import type { Campaigns, MessagingLimits } from '../modules/campaigns/index.js';
import type { Chatbot, Flows } from '../modules/chatbot/index.js';
import type { ConsentLedger } from '../modules/consent/index.js';
import type { Contacts } from '../modules/contacts/index.js';
import type { Desk } from '../modules/desk/index.js';
import type { Conversations, Inbox, Ownership } from '../modules/conversations/index.js';
import type { Groups } from '../modules/groups/index.js';
import type { InboundEvents } from '../modules/inbound/index.js';
import type { LeadSources, Leads } from '../modules/leads/index.js';
import type { MediaLibrary, MediaRemoval } from '../modules/media/index.js';
import type { Invoices } from '../modules/invoices/index.js';
import type { FormSubmissions, SurveyResponses } from '../modules/forms/index.js';
import type { PersonData } from '../modules/privacy/index.js';
import type { PixRequests } from '../modules/payments/index.js';
import type { RealtimeHub } from '../modules/realtime/index.js';
import type { RetentionSettings } from '../modules/retention/index.js';
import type { MessageEraser, MessageHistory, Messages, ReadReceipts, SendService } from '../modules/messaging/index.js';
import type { Notifications } from '../modules/notifications/index.js';
import type { TemplateService } from '../modules/templates/index.js';
import type { Webhooks } from '../modules/webhooks/index.js';
import type { LoginThrottle, Sessions, Teams, Users } from '../modules/users/index.js';
import type { Workspaces } from '../modules/workspaces/index.js';
import type { PersonEraser } from '../modules/privacy/index.js';
import type { WhatsAppClient } from '../whatsapp/index.js';
import type { SandboxControl } from './routes/app-phone.js';

/** What the HTTP layer needs from the rest of the app. */
export interface HttpDeps {
  /** Erasure of a person (`POST /api/v1/contacts/{id}/erase`, `DELETE /api/v1/contacts/{id}`). */
  personEraser: PersonEraser;
  logger: Logger;
  database: Database;
  /** The platform's one clock (real time; sandbox time for the embedded sandbox's numbers). */
  clock: Clock;
  apiKeys: ApiKeys;
  /** Workspaces (`/api/v1/workspaces`): creating one needs the `workspaces:admin` scope. */
  workspaces: Workspaces;
  phoneNumbers: PhoneNumbers;
  /** Reads numbers again from the provider (`POST /api/v1/phone-numbers/{id}/refresh`). */
  phoneNumberRefresher: PhoneNumberRefresher;
  inboundEvents: InboundEvents;
  /** WhatsApp groups (`/api/v1/groups`). */
  groups: Groups;
  contacts: Contacts;
  consent: ConsentLedger;
  conversations: Conversations;
  campaigns: Campaigns;
  messagingLimits: MessagingLimits;
  messages: Messages;
  sender: SendService;
  media: MediaLibrary;
  /** Deleting media here and at the provider (`DELETE /api/v1/media/{id}`). */
  mediaRemoval: MediaRemoval;
  /** Conversations as an inbox lists them (`GET /api/v1/conversations`). */
  inbox: Inbox;
  /** Who owns a conversation: handoff, assign, unassign, resolve, and their history. */
  ownership: Ownership;
  /** A conversation's whole history in pages; messages by wamid. */
  messageHistory: MessageHistory;
  /** Blue ticks and "typing…" (`POST /api/v1/messages/{id}/read`, `.../conversations/{id}/typing`). */
  readReceipts: ReadReceipts;
  /** `DELETE /api/v1/messages/{id}`: erase here, or cancel a queued send. */
  messageEraser: MessageEraser;
  invoices: Invoices;
  /** The inbox's WebSocket fan-out (`GET /app/ws`). */
  realtime: RealtimeHub;
  /** What the workspace keeps of message contents and media (`GET/PUT /api/v1/retention`). */
  retentionSettings: RetentionSettings;
  /** Pix payment requests (code, QR media, payment link). */
  pix: PixRequests;
  /** Form submissions of chatbot flows (`/api/v1/forms/submissions`, list and export). */
  formSubmissions: FormSubmissions;
  /** Satisfaction survey answers (`/api/v1/surveys/responses`, `/summary`). */
  surveyResponses: SurveyResponses;
  /** Leads (`/api/v1/leads`, `POST /app/api/contacts/{id}/lead`). */
  leads: Leads;
  /** Lead sources' keywords and chat sources (`/api/v1/leads/sources`). */
  leadSources: LeadSources;
  webhooks: Webhooks;
  /** Chatbot flows: drafts, versions, deployments, secrets (`/api/v1/flows`). */
  flows: Flows;
  /** Runs flows in conversations (`POST /api/v1/flows/{id}/runs`, the bot's part of a conversation). */
  chatbot: Chatbot;
  /** Transactional notifications (`/api/v1/notifications`). */
  notifications: Notifications;
  /** Templates as managed assets (`/api/v1/templates`). */
  templateService: TemplateService;
  /** The Graph API client (connecting a number checks its credentials with it). */
  whatsapp: WhatsAppClient;
  /** CONVERSA_PUBLIC_URL: how Meta and browsers reach the platform (webhook URL, opt-in links). */
  publicUrl: string;
  /** CONVERSA_TRUST_PROXY: which proxies' X-Forwarded-For is believed (Fastify's `trustProxy`; false: none). */
  trustProxy: boolean | number | readonly string[];
  /** The token the sandbox's control API requires (embedded: its own; SANDBOX_URL: SANDBOX_CONTROL_TOKEN). */
  sandboxControlToken: () => string | undefined;
  /** People of the agent inbox (`/app/api/users`, sign-in). */
  users: Users;
  /** Teams and their queues (`/app/api/teams`). */
  teams: Teams;
  /** Browser sessions (the `conversa_session` cookie). */
  sessions: Sessions;
  /** Failed sign-ins per e-mail and address (in memory, per node). */
  loginThrottle: LoginThrottle;
  /** The agent inbox's conversations as a signed-in person sees and works them (`/app/api/conversations`). */
  agentInbox: AgentInbox;
  /** The workspace's assignment strategy (`/app/api/settings/assignment`). */
  assignment: Assignment;
  /** The embedded sandbox's control API, for the phone page's proxy; undefined without an embedded sandbox. */
  sandboxControl: () => SandboxControl | undefined;
  /** The agent's desk: notes, labels, canned replies, contact panel, supervisor board (`/app/api`). */
  desk: Desk;
  /** Wakes the inbound processor after new webhook events are stored. */
  eventsStored: () => void;
  /** Everything held about one person (`GET /api/v1/contacts/{id}/export`). */
  personData: PersonData;
  /** The audit log: written by the `onResponse` hook (src/http/audit.ts), read by `GET /api/v1/audit`. */
  auditLog: AuditLog;
  /** CONVERSA_AUDIT_READS: also record routine reads of single records. */
  auditReads: boolean;
}


import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { PlatformClock, type Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { JobRegistry, type PollingLoop } from '../jobs/index.js';
import { migrateToLatest, openDatabase, type Database } from '../db/index.js';
import { buildHttpServer } from '../http/server.js';
import { ApiKeys } from '../modules/api-keys/index.js';
import { AuditLog, auditPruneLoop } from '../modules/audit/index.js';
import { BlockedUsers, numberRefreshLoop, PhoneNumberRefresher, PhoneNumbers, registerAccountInbound } from '../modules/phone-numbers/index.js';
import { ConsentLedger, registerPreferencesInbound } from '../modules/consent/index.js';
import { Contacts } from '../modules/contacts/index.js';
import { CampaignRunner, Campaigns, MessagingLimits, type CampaignRunnerOptions } from '../modules/campaigns/index.js';
import { AgentInbox, Assignment } from '../modules/agent-inbox/index.js';
import { Conversations, Inbox, Ownership } from '../modules/conversations/index.js';
import { BotTasks, Chatbot, Flows, publishDemoFlow, runEngine } from '../modules/chatbot/index.js';
import { Desk } from '../modules/desk/index.js';
import { Events } from '../modules/events/index.js';
import { FormSubmissions, SurveyResponses } from '../modules/forms/index.js';
import { GroupInbound, Groups } from '../modules/groups/index.js';
import { InboundEvents, InboundRouter } from '../modules/inbound/index.js';
import { LeadSources, Leads } from '../modules/leads/index.js';
import { Invoices } from '../modules/invoices/index.js';
import { PersonData } from '../modules/privacy/index.js';
import { LocalDiskMediaStorage, MediaDownloader, MediaLibrary, MediaRemoval, ProviderMedia, type MediaDownloaderOptions } from '../modules/media/index.js';
import { Dispatcher, IngestProcessor, MessageEraser, MessagingInbound, MessageHistory, Messages, ReadReceipts, SendService, type DispatcherOptions } from '../modules/messaging/index.js';
import { Notifications } from '../modules/notifications/index.js';
import { PixRequests } from '../modules/payments/index.js';
import { RealtimeHub, type RealtimeOptions } from '../modules/realtime/index.js';
import { RetentionJob, RetentionSettings, type RetentionRules } from '../modules/retention/index.js';
import { registerTemplateInbound, TemplateCache, TemplateService, templateSyncLoop } from '../modules/templates/index.js';
import { createWebhookModule, type WebhookDeliveryWorker, type WebhookFanOut, type WebhookModuleOptions, type Webhooks } from '../modules/webhooks/index.js';
import { LoginThrottle, Sessions, Teams, Users } from '../modules/users/index.js';
import { Workspaces } from '../modules/workspaces/index.js';
import { PersonEraser } from '../modules/privacy/index.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index.js';
import { SecretBox, subjectHasher } from '../security/index.js';
import { WhatsAppClient } from '../whatsapp/index.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import { secureDataDir } from './data-dir.js';
import { createLogger } from './logger.js';
import { SandboxLink } from './sandbox-link.js';
import { resolveSecretKey } from './secret-key.js';

export interface Modules {
  /** WhatsApp groups (`/api/v1/groups`; their webhooks are registered on the inbound router). */
  groups: Groups;
  /** Chatbot flows: drafts, versions, deployments, secrets. */
  flows: Flows;
  /** Runs flows in conversations (registered on the inbound router). */
  chatbot: Chatbot;
  /** The bot's HTTP steps, waits and session timeouts. */
  botTasks: BotTasks;
  workspaces: Workspaces;
  apiKeys: ApiKeys;
  phoneNumbers: PhoneNumbers;
  /** Reads numbers again from the provider: throughput, quality rating, messaging-limit tier. */
  phoneNumberRefresher: PhoneNumberRefresher;
  /** Refreshes every number every CONVERSA_NUMBER_REFRESH_SECONDS. */
  numberRefresh: PollingLoop;
  inboundEvents: InboundEvents;
  events: Events;
  contacts: Contacts;
  consent: ConsentLedger;
  conversations: Conversations;
  campaigns: Campaigns;
  campaignRunner: CampaignRunner;
  messagingLimits: MessagingLimits;
  messages: Messages;
  templates: TemplateCache;
  /** Templates as managed assets: drafts, submission, versions, deletion, sync. */
  templateService: TemplateService;
  templateSync: PollingLoop;
  sender: SendService;
  /** Transactional notifications and their scheduler. */
  notifications: Notifications;
  processor: IngestProcessor;
  /** Routes each inbound webhook event to the handlers of its kind; register new capabilities here. */
  inboundRouter: InboundRouter;
  dispatcher: Dispatcher;
  media: MediaLibrary;
  /** Deleting media here and at the provider. */
  mediaRemoval: MediaRemoval;
  /** Conversations as an inbox lists them (contact, last message, unread count). */
  inbox: Inbox;
  /**
   * The ownership state machine (bot → queue → agent → bot): the chatbot runtime calls it in its
   * transaction and registers `onResolved` to start its survey.
   */
  ownership: Ownership;
  /** Conversation histories in pages; messages by wamid. */
  messageHistory: MessageHistory;
  /** Read receipts and the typing indicator. */
  readReceipts: ReadReceipts;
  /** Erasing messages; cancelling queued ones. */
  messageEraser: MessageEraser;
  invoices: Invoices;
  pix: PixRequests;
  /** What chatbot flows collect: form submissions (the runtime calls `submit` in its transaction). */
  formSubmissions: FormSubmissions;
  /** Satisfaction survey answers (the runtime calls `record` in its transaction). */
  surveyResponses: SurveyResponses;
  /** People who showed interest: from completed forms, inbound messages, agents, the API (issue 12). */
  leads: Leads;
  /** What is configured per lead source: interest keywords, chat sources. */
  leadSources: LeadSources;
  mediaDownloader: MediaDownloader;
  webhooks: Webhooks;
  webhookFanOut: WebhookFanOut;
  webhookDelivery: WebhookDeliveryWorker;
  /** People of the agent inbox: accounts, passwords, presence, the Viewer of a session. */
  users: Users;
  /** Teams and the queues they work. */
  teams: Teams;
  /** Beside a conversation in the inbox: notes, labels, canned replies, the contact panel, the supervisor's board. */
  desk: Desk;
  /** Browser sessions of the agent inbox. */
  sessions: Sessions;
  /** The agent inbox as a signed-in person works it: views, sending, take/assign/transfer/resolve, snooze. */
  agentInbox: AgentInbox;
  /** Automatic assignment of conversations handed to a queue (manual, round robin, least busy). */
  assignment: Assignment;
  /** Pushes outbox events, typing and presence to the inbox's WebSocket connections of this node. */
  realtime: RealtimeHub;
  /** Everything held about one person, read for the access right (the person export). */
  personData: PersonData;
  /** Who did what: API keys, people, the CLI (append-only; docs/data-protection.md, "The audit log"). */
  auditLog: AuditLog;
  /** Erasure of a person (issue 13): everything of one contact, each table through its owner; keeps consent tombstones. */
  personEraser: PersonEraser;
  /** What each workspace keeps of message contents and media (`GET/PUT /api/v1/retention`). */
  retentionSettings: RetentionSettings;
  /** Prunes what the retention rules say is old enough (docs/data-protection.md#retention). */
  retention: RetentionJob;
}

export interface StartResult extends BootstrapResult {
  platformUrl: string;
  sandboxUrl?: string;
  /** The token the embedded sandbox's control API requires, and whether it was generated at this start. */
  sandboxControlToken?: { token: string; generated: boolean };
  /** The first admin of the agent inbox, created at this start because there was no user at all: print once. */
  firstAdmin?: { email: string; oneTimePassword: string };
  /** Things the operator must know, already logged (e.g. real numbers beside the embedded sandbox). */
  warnings: string[];
}

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly modules: Modules;
  /** Real time, and sandbox time for the embedded sandbox's numbers (see `Clock`). */
  readonly clock: Clock;
  readonly http: FastifyInstance;
  /** The embedded sandbox, when `config.sandbox.enabled`. */
  readonly sandbox: Sandbox | undefined;
  /** The background workers by name (docs/architecture-jobs.md): started by `start()`, stopped by `close()`. */
  readonly jobs: JobRegistry;
  /** Listens (sandbox first, then the platform) and runs the first-start bootstrap. */
  start(): Promise<StartResult>;
  close(): Promise<void>;
  /** While `close()` runs: the step it is waiting for (diagnostics for a slow shutdown). */
  readonly closingStep: string | undefined;
}

export interface BuildOptions {
  logger?: Logger;
  /** Dispatcher knobs (retry base, grace for unknown outcomes); tests shorten them. */
  dispatcher?: DispatcherOptions;
  /** Inbound media download knobs (retry base, poll interval); tests shorten them. */
  media?: MediaDownloaderOptions;
  /** Do not start the processor and dispatcher loops (tests that drive them by hand). */
  manualWorkers?: boolean;
  /** Campaign runner knobs (poll interval, look-ahead, failure check interval); tests shorten them. */
  campaigns?: CampaignRunnerOptions;
  /** Outbound webhook knobs (retry schedule, poll intervals, transport timeouts); tests shorten them. */
  webhooks?: WebhookModuleOptions;
  /** Periodic phone number refresh; tests shorten the interval (default: config.phoneNumbers.refreshIntervalMs). */
  numberRefresh?: { intervalMs?: number };
  /** Record answers of API routes that their OpenAPI responses do not declare (`http.undeclaredResponses()`); tests turn it on. */
  checkResponses?: boolean;
  /** Real time in epoch ms (default `Date.now`); tests shift it to tell the clock's readings from the host's. */
  realNow?: () => number;
  /** Realtime hub knobs (poll interval, hold for missing ids, bounds); tests and benches set them. */
  realtime?: RealtimeOptions;
  /** Test knobs for the embedded sandbox (review delay, retry base). */
  sandbox?: Partial<Pick<SandboxOptions, 'templateReviewDelayMs' | 'webhookRetryBaseMs'>>;
  /** The built web app's folder (default dist/web); tests point it elsewhere. */
  webDir?: string;
  /** The audit log's retention job: its rest between passes and batch size; tests shorten them. */
  auditPrune?: { pollMs?: number; batch?: number };
  /** Retention knobs over config.retention (interval, batch, pause); tests and benches set them. */
  retention?: Partial<RetentionRules>;
  /** PostgreSQL only: how many transactions an inbound batch may be split into, by conversation (default 1; `lanesOf`). */
  inboundLanes?: number;
}

/**
 * The composition root: builds the database, modules, HTTP server and (optionally) the
 * embedded sandbox from one frozen config. The CLI, the server and the tests all call it.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Before anything is opened or written: the data folder holds personal data and secrets.
  const sqliteFile = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : '';
  secureDataDir(config.dataDir, { logger, extraFiles: sqliteFile && sqliteFile !== ':memory:' ? [sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`] : [] });
  const database = openDatabase(config.databaseUrl, { onConnectionError: (error) => logger.warn({ err: error }, 'an idle database connection was closed by the server; it will be replaced') });
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) logger.info({ migrations: applied, database: database.description }, 'database migrated');
  } catch (error) {
    await database.close();
    throw error;
  }
  const secretKey = resolveSecretKey(config.secretKey, config.dataDir);
  const box = new SecretBox(secretKey);
  const sandbox = config.sandbox.enabled
    ? await createSandbox({
        logger: logger.child({ component: 'sandbox' }),
        accessToken: config.sandbox.accessToken,
        ...(config.sandbox.controlToken ? { controlToken: config.sandbox.controlToken } : {}),
        stateFile: join(config.dataDir, 'sandbox', 'state.json'),
        seedAccount: false,
        ...options.sandbox,
      })
    : undefined;
  const { db } = database;
  // Every background worker, registered once below; modules wake each other through it by name.
  const jobs = new JobRegistry();
  // One clock: real time, except for the messages of numbers served by the embedded sandbox,
  // which follow sandbox time (POST /sandbox/v1/clock moves their window on both sides and
  // nothing else; see docs/sandbox.md, "Sandbox time").
  const clock: Clock = new PlatformClock({ db, ...(sandbox ? { sandboxNow: () => sandbox.now() } : {}), ...(options.realNow ? { realNow: options.realNow } : {}) });
  const now = () => clock.now();
  const client = new WhatsAppClient();
  const phoneNumbers = new PhoneNumbers(db, box, now);
  const phoneNumberRefresher = new PhoneNumberRefresher({ phoneNumbers, graph: client, now });
  const numberRefresh = numberRefreshLoop(phoneNumberRefresher, options.numberRefresh?.intervalMs ?? config.phoneNumbers.refreshIntervalMs, logger.child({ component: 'phone-numbers' }));
  // The realtime hub hears of new events at commit: NOTIFY on PostgreSQL (every node), a wake-up
  // in process on SQLite (its read waits on the one connection, so it runs after the commit).
  const events = new Events(db, now, database.capabilities.supportsListenNotify ? { notifyAtCommit: true } : { recorded: () => jobs.wake('realtime') });
  // A contact created for a number erased before takes the opt-outs its consent tombstones kept.
  const contacts = new Contacts(db, now, events, (trx, workspaceId, created) => consent.restoreTombstones(trx, workspaceId, created));
  const consent = new ConsentLedger(db, now, events, subjectHasher(secretKey));
  const conversations = new Conversations(db, clock);
  // Each message queued (API, bot, agent) records `message.created` in its transaction, for the inbox.
  const messages = new Messages(db, clock, events);
  const templates = new TemplateCache(db, clock, events);
  const templateService = new TemplateService({ db, cache: templates, phoneNumbers, client, clock });
  const templateSync = templateSyncLoop(templateService, config.templates.syncIntervalMs, logger.child({ component: 'templates' }));
  const inboundEvents = new InboundEvents(db, database.capabilities, now, { leaseMs: config.dispatch.claimLeaseMs });
  const mediaStorage = new LocalDiskMediaStorage(join(config.dataDir, 'media'));
  const mediaDownloader = new MediaDownloader(db, database.capabilities, client, phoneNumbers, mediaStorage, logger.child({ component: 'media' }), now, options.media);
  const media = new MediaLibrary(db, mediaStorage, now, () => jobs.wake('media downloader'));
  const providerMedia = new ProviderMedia(db, mediaStorage, client, logger.child({ component: 'media' }), clock);
  const dispatcher = new Dispatcher(db, database.capabilities, client, phoneNumbers, logger.child({ component: 'dispatcher' }), clock, {
    unknownGraceMs: config.dispatch.unknownGraceMs,
    leaseMs: config.dispatch.claimLeaseMs,
    statuses: inboundEvents,
    arrivals: inboundEvents,
    media: providerMedia,
    locks: database.openSessionLocks(),
    events,
    ...options.dispatcher,
  });
  // Groups (issue 12): Meta keeps each group, the platform its record, participants and conversation.
  const groups = new Groups({ db, phoneNumbers, contacts, conversations, events, graph: client, clock });
  // A participant who joins a sales group (a group configured as a lead source) becomes a lead of it.
  const groupInbound = new GroupInbound(groups, logger.child({ component: 'groups' }), (trx, input) => leads.onGroupJoin(trx, input));
  const blockedUsers = new BlockedUsers({ db, phoneNumbers, graph: client, now });
  const sender = new SendService({ db, phoneNumbers, contacts, conversations, consent, messages, templates, client, media, queued: () => jobs.wake('dispatcher'), clock, groups, blocked: blockedUsers });
  const notifications = new Notifications(
    { db, capabilities: database.capabilities, phoneNumbers, contacts, templates, client, sender, messages, events, logger: logger.child({ component: 'notifications' }), clock, groups },
    { ...config.notifications, leaseMs: config.dispatch.claimLeaseMs },
  );
  // One inbound router: each module registers what it does with the webhook events it owns.
  // A new capability plugs in here (e.g. the chatbot engine: `inboundRouter.on('message', ...)`),
  // after messaging's handler, so it sees the message stored; see docs/inbound.md.
  const inboundRouter = new InboundRouter();
  // Replies queued inside the processor's transaction wake the dispatcher once it commits.
  let repliesQueued = false;
  new MessagingInbound({
    contacts,
    conversations,
    consent,
    messages,
    events,
    logger: logger.child({ component: 'processor' }),
    clock,
    reply: async (input, trx) => {
      await sender.queueServiceText(input, trx);
      repliesQueued = true;
    },
    media,
    groupConversation: (workspaceId, numberRowId, providerGroupId, trx) => groupInbound.conversationFor(workspaceId, numberRowId, providerGroupId, trx),
  }).register(inboundRouter);
  groupInbound.register(inboundRouter);
  registerTemplateInbound(inboundRouter, templates, () => jobs.wake('template sync'));
  registerPreferencesInbound(inboundRouter, { contacts, consent });
  registerAccountInbound(inboundRouter, { refresh: () => jobs.wake('number refresh'), logger: logger.child({ component: 'phone-numbers' }) });
  // Chatbot flows (issue 10): registered after messaging, so each new customer message is
  // stored before the bot answers it, in the same transaction.
  const readReceipts = new ReadReceipts({ db, directory: phoneNumbers, graph: client, clock });
  const ownership = new Ownership(db, events, clock);
  const formSubmissions = new FormSubmissions({ db, events, contacts });
  const surveyResponses = new SurveyResponses({ db, events, contacts });
  const leads = new Leads({ db, events, contacts });
  const flows = new Flows(db, now, box);
  const chatbot = new Chatbot({
    db,
    flows,
    engine: runEngine,
    clock,
    logger: logger.child({ component: 'chatbot' }),
    ownership: {
      handoff: async (trx, input) => {
        const outcome = await ownership.handoff(trx, { ...input, actor: { type: 'bot', id: null } });
        return outcome.ok ? { ok: true } : { ok: false, message: outcome.error.message ?? outcome.error.code };
      },
    },
    collected: {
      submitForm: async (trx, input) => {
        const outcome = await formSubmissions.submit(trx, input);
        if (!outcome.ok) return { ok: false, message: outcome.error.message ?? outcome.error.code };
        // A completed form makes its customer a lead of that form, in the same transaction.
        const lead = await leads.fromForm(trx, { workspaceId: input.workspaceId, form: input.form, contactId: input.contactId, fields: outcome.submission.fields, at: input.at });
        return lead.ok ? { ok: true } : { ok: false, message: lead.error.message ?? lead.error.code };
      },
      recordSurvey: async (trx, input) => {
        const outcome = await surveyResponses.record(trx, input);
        return outcome.ok ? { ok: true } : { ok: false, message: outcome.error.message ?? outcome.error.code };
      },
    },
    queue: (trx, input) => sender.queueInTransaction(trx, { sentBy: { type: 'bot', id: null }, ...input }),
    queued: () => jobs.wake('dispatcher'),
    tasksStored: () => jobs.wake('bot tasks'),
    markRead: (trx, message) => readReceipts.markReadWithin(trx, message),
  });
  chatbot.register(inboundRouter);
  // Leads (issue 12): after the bot, so a form the message completed is a lead before its fields
  // are read from the message; same transaction.
  inboundRouter.on('message', (event, context) => leads.onMessage(event.payload, context));
  ownership.onResolved((trx, notice) =>
    chatbot.onResolved(trx, {
      workspaceId: notice.workspaceId,
      conversationId: notice.conversation.id,
      survey: notice.options.survey === true,
      agent: notice.transition.from.type === 'agent' ? notice.transition.from.id : null,
      queue: notice.transition.queue,
    }),
  );
  ownership.onTransition(async (trx, notice) => {
    if (notice.transition.to.type !== 'bot') await chatbot.onTakenOver(trx, { workspaceId: notice.workspaceId, conversationId: notice.conversation.id, owner: `${notice.transition.to.type} ${notice.transition.to.id ?? ''}`.trim() });
  });
  // Automatic assignment (issue 11): a conversation that reaches a queue gets an online agent
  // of its team, in the transaction of the move (registered after the chatbot's listener).
  const assignment = new Assignment(db, ownership, clock);
  ownership.onTransition((trx, notice) => assignment.onTransition(trx, notice));
  // What a committed transaction queued or stored for the bot: woken now, not at the next poll.
  const botCommitted = () => chatbot.committed();
  let demoOrigin: string | undefined;
  const botTasks = new BotTasks({
    db,
    capabilities: database.capabilities,
    chatbot,
    flows,
    clock,
    logger: logger.child({ component: 'bot tasks' }),
    allowPrivate: config.flows.allowPrivate,
    demoOrigin: () => demoOrigin,
    typing: async (workspaceId, conversationId) => {
      await readReceipts.typingInConversation(workspaceId, conversationId);
    },
    committed: botCommitted,
  });
  // On PostgreSQL a batch's conversations can be applied in several transactions at once (each
  // conversation's events in order in one of them); SQLite has one writer. One lane by default
  // (docs/inbound.md, "Lanes": why it is not on yet).
  const inboundLanes = database.capabilities.singleWriter ? 1 : Math.max(1, options.inboundLanes ?? 1);
  const processor = new IngestProcessor({ db, inbound: inboundEvents, phoneNumbers, router: inboundRouter, logger: logger.child({ component: 'processor' }), lanes: inboundLanes, outbox: events, committed: () => {
      botCommitted();
      if (!repliesQueued) return;
      repliesQueued = false;
      jobs.wake('dispatcher');
    },
  });
  const messagingLimits = new MessagingLimits(db, clock);
  const campaignDeps = { db, capabilities: database.capabilities, phoneNumbers, contacts, consent, conversations, messages, templates, client, limits: messagingLimits, blocked: blockedUsers, queued: () => jobs.wake('dispatcher'), clock, logger: logger.child({ component: 'campaigns' }) };
  const campaigns = new Campaigns(campaignDeps);
  const campaignRunner = new CampaignRunner(campaignDeps, campaigns, options.campaigns);
  const webhooks = createWebhookModule(
    { db, capabilities: database.capabilities, box, outbox: events, logger, now },
    { ...options.webhooks, transport: { allowPrivate: config.webhooks.allowPrivate, ...options.webhooks?.transport } },
  );
  const users = new Users({ db, capabilities: database.capabilities, now });
  const pix = new PixRequests(media, config.payments.linkPattern);
  const invoices = new Invoices(db, media, pix, now);
  // The conversation API (issue 9): inbox, history, read receipts and typing, deletion.
  const mediaRemoval = new MediaRemoval({ db, storage: mediaStorage, graph: client, directory: phoneNumbers, logger: logger.child({ component: 'media' }), clock });
  const conversationApi = {
    mediaRemoval,
    inbox: new Inbox(db, conversations, clock),
    messageHistory: new MessageHistory(db, (workspaceId, ids) => users.names(workspaceId, ids)),
    readReceipts,
    messageEraser: new MessageEraser({ db, media: mediaRemoval, clock }),
  };
  const agentInbox = new AgentInbox({
    inbox: conversationApi.inbox,
    conversations,
    ownership,
    sender,
    history: conversationApi.messageHistory,
    readReceipts,
    chatbot,
    templates: templateService,
    phoneNumbers,
    people: {
      activeUser: async (workspaceId, userId) => {
        const user = await modules.users.get(workspaceId, userId);
        return user?.active ? { id: user.id } : undefined;
      },
      team: async (workspaceId, teamId) => {
        const team = await modules.teams.get(workspaceId, teamId);
        return team ? { id: team.id, queue: team.queue } : undefined;
      },
    },
    clock,
    messages,
    media,
  });
  // The phone page's proxy reaches the embedded sandbox over HTTP once it listens (start()).
  let sandboxLink: SandboxLink | undefined;
  // Stopped in reverse order by close(): the processor first (it queues replies for the
  // dispatcher), the periodic refreshes last. Each name is the shutdown step close() logs.
  const realtime = new RealtimeHub({ db, capabilities: database.capabilities, outbox: events, channel: database.openNotifyChannel(), logger: logger.child({ component: 'realtime' }) }, options.realtime);
  // Registered first, stopped last: its connections are closed with the HTTP server already.
  jobs.register('realtime', realtime);
  // Deletes audit log entries past CONVERSA_AUDIT_RETENTION_DAYS, in batches (its own job: the
  // other tables' retention is separate).
  const auditLog = new AuditLog({ db, now });
  jobs.register('audit prune', auditPruneLoop(auditLog, now, logger.child({ component: 'audit' }), { retentionDays: config.audit.retentionDays, ...options.auditPrune }));
  jobs.register('number refresh', numberRefresh);
  jobs.register('template sync', templateSync);
  jobs.register('outbound webhooks', webhooks);
  jobs.register('media downloader', mediaDownloader);
  jobs.register('dispatcher', dispatcher);
  jobs.register('campaign runner', campaignRunner);
  jobs.register('notifications', notifications);
  jobs.register('bot tasks', botTasks);
  jobs.register('processor', processor);
  // Registered last, stopped first: a prune under way ends after its current batch.
  const retentionSettings = new RetentionSettings({
    db,
    now,
    installation: {
      inbound_events_days: config.retention.inboundMs / 86_400_000,
      outbox_hours: config.retention.outboxMs / 3_600_000,
      webhook_deliveries_days: config.retention.deliveriesMs / 86_400_000,
      job_log_days: config.retention.jobLogMs / 86_400_000,
    },
  });
  const retention = new RetentionJob(
    {
      db,
      clock,
      locks: database.openSessionLocks(),
      settings: retentionSettings,
      mediaStorage,
      // The hub at 0 has not read yet: it starts at the end, so it holds nothing back.
      outboxPositions: async () => [await webhooks.fanOut.committedPosition(), ...(realtime.position() > 0 ? [realtime.position()] : [])],
      logger: logger.child({ component: 'retention' }),
    },
    { ...config.retention, ...options.retention },
  );
  jobs.register('retention', retention);
  const modules: Modules = {
    workspaces: new Workspaces(db, now),
    apiKeys: new ApiKeys(db, now),
    phoneNumbers,
    phoneNumberRefresher,
    numberRefresh,
    inboundEvents,
    events,
    contacts,
    consent,
    conversations,
    messages,
    templates,
    templateService,
    templateSync,
    sender,
    notifications,
    processor,
    inboundRouter,
    dispatcher,
    groups,
    media,
    ...conversationApi,
    invoices,
    pix,
    formSubmissions,
    surveyResponses,
    leads,
    leadSources: new LeadSources({ db, now }),
    mediaDownloader,
    webhooks: webhooks.service,
    webhookFanOut: webhooks.fanOut,
    webhookDelivery: webhooks.delivery,
    campaigns,
    campaignRunner,
    messagingLimits,
    ownership,
    flows,
    chatbot,
    botTasks,
    users,
    teams: new Teams({ db, now }),
    sessions: new Sessions({ db, secretKey, now }),
    agentInbox,
    assignment,
    // The agent's desk (notes, labels, canned replies, contact panel, supervisor board); its
    // people are read from the users module when asked (after `modules` exists).
    desk: new Desk({
      db, events, clock, conversations, inbox: conversationApi.inbox, ownership, contacts, consent, chatbot, formSubmissions,
      people: { people: (workspaceId) => modules.users.list(workspaceId), teams: (workspaceId) => modules.teams.list(workspaceId) },
    }),
    realtime,
    personData: new PersonData(db),
    auditLog,
    personEraser: new PersonEraser({
      db,
      contacts,
      consent,
      messageEraser: conversationApi.messageEraser,
      media: mediaRemoval,
      invoices,
      campaigns,
      inboundEvents,
      events,
      webhooks: webhooks.service,
      clock,
      logger: logger.child({ component: 'privacy' }),
      checkpoint: () => database.checkpoint(),
    }),
    retentionSettings,
    retention,
  };
  const http = await buildHttpServer({ logger, database, clock, ...modules, auditReads: config.audit.reads, loginThrottle: new LoginThrottle({ now }), whatsapp: client, publicUrl: config.publicUrl, trustProxy: config.http.trustProxy, eventsStored: () => jobs.wake('processor'), sandboxControlToken: () => (sandbox ? sandbox.controlToken : config.sandbox.controlToken), sandboxControl: () => sandboxLink }, { checkResponses: options.checkResponses ?? false, demoApi: sandbox !== undefined, ...(options.webDir ? { webDir: options.webDir } : {}) });
  let closingStep: string | undefined;
  return {
    config,
    logger,
    database,
    modules,
    clock,
    http,
    sandbox,
    jobs,
    async start() {
      const sandboxUrl = sandbox ? await sandbox.listen(config.sandbox.port, config.sandbox.host) : config.sandbox.url;
      const controlToken = sandbox ? sandbox.controlToken : config.sandbox.controlToken;
      if (sandbox && sandboxUrl) sandboxLink = new SandboxLink(sandboxUrl, controlToken);
      const listening = await http.listen({ port: config.port, host: config.host });
      const platformUrl = config.port === 0 ? listening.replace('[::1]', '127.0.0.1') : config.publicUrl;
      if (sandbox) demoOrigin = new URL(listening.replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1')).origin;
      const result = await bootstrap({
        ...modules,
        logger,
        adminKey: config.adminKey,
        webhookUrl: `${platformUrl}/webhooks/whatsapp`,
        ...(sandboxUrl ? { sandbox: { baseUrl: sandboxUrl, accessToken: config.sandbox.accessToken, controlToken } } : {}),
      });
      const firstAdmin = await createFirstAdmin(users, result.workspaceId, config.adminEmail, logger);
      if (firstAdmin) await auditLog.record({ workspaceId: result.workspaceId, actor: { type: 'system', id: null, label: 'first start' }, action: 'users.create', method: 'SYSTEM', route: 'first start', target: { type: 'users', id: firstAdmin.userId }, outcome: 'success', statusCode: 0, details: { role: 'admin' } });
      const warnings: string[] = [];
      if (sandbox && sandboxUrl && (await phoneNumbers.anyOfProvider('cloud_api', { notAt: sandboxUrl }))) {
        warnings.push(
          'Real (Meta) numbers run beside the embedded sandbox: the platform runs on sandbox time, so a clock move on the sandbox (POST /sandbox/v1/clock) moves their customer service windows too, and whoever reaches the sandbox can fake customers. Run production with CONVERSA_SANDBOX=off.',
        );
      }
      for (const warning of warnings) logger.warn(warning);
      if (sandbox && demoOrigin && config.flows.demo && result.sandboxNumber) {
        const demo = await publishDemoFlow({ flows, workspaceId: result.workspaceId, numberId: result.sandboxNumber.id, dataDir: config.dataDir, apiOrigin: demoOrigin, logger });
        if (demo) result.demoFlow = demo;
      }
      await dispatcher.recover();
      if (!options.manualWorkers) {
        jobs.startAll();
        // Started means hearing the other nodes: an event committed on another node right after
        // this start reaches this node's browsers at once, not at the next poll.
        await realtime.listening();
      }
      return {
        ...result,
        platformUrl,
        ...(sandboxUrl ? { sandboxUrl } : {}),
        ...(firstAdmin ? { firstAdmin: { email: firstAdmin.email, oneTimePassword: firstAdmin.oneTimePassword } } : {}),
        ...(sandbox?.controlToken ? { sandboxControlToken: { token: sandbox.controlToken, generated: sandbox.controlToken !== config.sandbox.controlToken } } : {}),
        warnings,
      };
    },
    get closingStep() {
      return closingStep;
    },
    async close() {
      // Each step named, so a shutdown that waits too long says on what (logged after 5 s).
      // The jobs stop in reverse order of registration, each a step of its own.
      const step = async (name: string, run: () => Promise<unknown>): Promise<void> => {
        closingStep = name;
        const slow = setTimeout(() => logger.warn({ step: name }, 'shutdown: still waiting for this step after 5 s'), 5_000);
        slow.unref();
        try {
          await run();
        } finally {
          clearTimeout(slow);
        }
      };
      await step('http', () => closeGracefully(http));
      await jobs.stopAll(step);
      await step('graph client', () => client.close());
      await step('sandbox', async () => sandbox?.close());
      await step('database', () => database.close());
      closingStep = undefined;
    },
  };
}

/**
 * On a start with no user at all (a new installation, or one from before the agent inbox): the
 * first admin of the agent inbox, in the default workspace, with a one-time password they must
 * replace at the first sign-in. The password is logged this once (the one secret the log ever
 * holds, useless after that first sign-in) and printed by `conversa serve`. Two nodes starting
 * together on PostgreSQL: the e-mail's unique index lets one of them create it.
 */
async function createFirstAdmin(users: Users, workspaceId: string, email: string, logger: Logger): Promise<{ email: string; oneTimePassword: string; userId: string } | undefined> {
  if (await users.any()) return undefined;
  const created = await users.create({ workspaceId, email, role: 'admin', name: 'Admin' }).catch(() => undefined);
  if (!created?.ok || !created.value.oneTimePassword) return undefined;
  logger.info({ email, one_time_password_once: created.value.oneTimePassword, userId: created.value.user.id }, 'first start: created the first admin of the agent inbox; sign in at /login with this e-mail and one-time password (shown once; you choose your own password at the first sign-in)');
  return { email, oneTimePassword: created.value.oneTimePassword, userId: created.value.user.id };
}

/**
 * Closes the HTTP server after the requests in flight are answered. Node closes idle keep-alive
 * connections only when the close starts; one busy then (a webhook being stored) goes idle later
 * and, kept alive by its client (undici honours the server's 72 s keep-alive hint), would hold
 * the close open for a minute. So idle connections are closed again until the server is shut.
 */
async function closeGracefully(http: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => http.server.closeIdleConnections(), 100);
  try {
    await http.close();
  } finally {
    clearInterval(sweep);
  }
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One owner per table: only the owning module writes a table (insert, update, delete); another
 * module asks the owner through its index.ts. A few reads of other modules' tables stay where a
 * join or an aggregate on a hot path needs them; each is listed below with why. The same map is
 * the table "Who owns which table" in docs/architecture.md.
 */
const OWNERS: Record<string, string> = {
  workspaces: 'workspaces',
  api_keys: 'api-keys',
  phone_numbers: 'phone-numbers',
  contacts: 'contacts',
  contact_aliases: 'contacts',
  consents: 'consent',
  consent_tombstones: 'consent',
  conversations: 'conversations',
  conversation_transitions: 'conversations',
  messages: 'messaging',
  inbound_events: 'inbound',
  templates: 'templates',
  template_versions: 'templates',
  template_events: 'templates',
  outbox_events: 'events',
  webhook_subscriptions: 'webhooks',
  webhook_deliveries: 'webhooks',
  webhook_delivery_attempts: 'webhooks',
  event_consumers: 'webhooks',
  media: 'media',
  media_provider_ids: 'media',
  media_downloads: 'media',
  campaigns: 'campaigns',
  campaign_recipients: 'campaigns',
  campaign_rejections: 'campaigns',
  messaging_limits: 'campaigns',
  notifications: 'notifications',
  invoices: 'invoices',
  form_submissions: 'forms',
  survey_responses: 'forms',
  blocked_users: 'phone-numbers',
  flows: 'chatbot',
  flow_versions: 'chatbot',
  flow_deployments: 'chatbot',
  bot_sessions: 'chatbot',
  bot_tasks: 'chatbot',
  bot_log: 'chatbot',
  flow_secrets: 'chatbot',
  users: 'users',
  teams: 'users',
  team_members: 'users',
  user_sessions: 'users',
  assignment_settings: 'agent-inbox',
  assignment_rotations: 'agent-inbox',
  conversation_notes: 'desk',
  note_mentions: 'desk',
  conversation_labels: 'desk',
  canned_replies: 'desk',
  groups: 'groups',
  group_participants: 'groups',
  leads: 'leads',
  lead_sources: 'leads',
  audit_log: 'audit',
  retention_settings: 'retention',
};

/** Tables whose owning module keeps their writes in one class (its other classes ask it). */
const WRITER_FILES: Record<string, string> = {
  templates: 'src/modules/templates/template-cache.ts',
  template_versions: 'src/modules/templates/template-cache.ts',
  template_events: 'src/modules/templates/template-cache.ts',
};

/** Reads of another module's table, by `file: table`, with the reason (docs/architecture.md). */
const ALLOWED_READS: Record<string, string> = {
  'src/modules/groups/groups.ts: conversations': "a send to a group reads the group's conversation (id and its contact record) in the statement that finds the group",
  'src/modules/groups/groups.ts: phone_numbers': "a group's view names its number by Meta's phone_number_id, read in the transaction it is shown from (the inbound batch's for group.* events)",
  'src/modules/groups/group-inbound.ts: conversations': "a message written in a group is stored in the group's conversation, read inside the inbound batch's transaction",
  'src/clock/clock.ts: phone_numbers': "the clock (below the modules) reads a number's `provider` to know whether sandbox time applies",
  'src/modules/campaigns/audience.ts: contacts': "a filter audience walks the workspace's contacts by tag and attribute in keyset pages (one statement per 1,000)",
  'src/modules/campaigns/campaign-runner.ts: messages': "the failure-rate check joins recipients with their messages' statuses (one aggregate)",
  'src/modules/campaigns/campaign-runner.ts: phone_numbers': "a refill locks the number's row (`FOR UPDATE`) so one node at a time fills its look-ahead",
  'src/modules/campaigns/campaigns.ts: messages': "withdraw finds the campaign's queued messages by a join with its recipients (the delete is messaging's `withdrawQueued`)",
  'src/modules/campaigns/messaging-limits.ts: phone_numbers': "the tier joins the provider's reported tier with the one set by hand",
  'src/modules/campaigns/messaging-limits.ts: messages': "unique recipients in the moving 24 h (one aggregate, in the refill's transaction)",
  'src/modules/campaigns/totals.ts: messages': "totals and recipient pages join recipients with their messages' status and cost",
  'src/modules/campaigns/totals.ts: conversations': 'totals count queued recipients inside an open window',
  'src/modules/campaigns/totals.ts: consents': 'totals count recipients who opted out since',
  'src/modules/chatbot/chatbot.ts: conversations': "the bot answers inside the inbound batch's transaction: it reads the conversation's owner and window through it (on SQLite the only connection)",
  'src/modules/chatbot/chatbot.ts: phone_numbers': "the bot reads its conversation's number (WABA, provider: its clock) inside the transaction it answers in",
  'src/modules/chatbot/chatbot.ts: contacts': "the bot reads its conversation's contact (name, language, attributes for `{{contact.*}}`) inside the transaction it answers in",
  'src/modules/messaging/send-service.ts: conversations': "queueing inside the caller's transaction (the bot's answers) reads the conversation's window through it",
  'src/modules/forms/form-submissions.ts: contacts': "a submissions page and each export page join every submission's contact wa_id and name (one statement a page)",
  'src/modules/forms/survey-responses.ts: contacts': "a page of survey answers joins each answer's contact wa_id and name (one statement a page)",
  'src/modules/conversations/inbox.ts: contacts': "an inbox page joins each conversation's contact name (three queries a page)",
  'src/modules/conversations/inbox.ts: messages': 'an inbox page reads the latest messages and unread counts of its conversations',
  'src/modules/conversations/ownership.ts: phone_numbers': "a transition reads its conversation with the number's Meta id (its `conversation.updated` names it, as message events do) and provider (its clock) in one statement, inside the caller's transaction",
  'src/modules/messaging/messages.ts: contacts': "a message's reactions show who reacted (each reaction joins its contact's wa_id)",
  'src/modules/media/media-removal.ts: messages': 'deleting media first looks for unsent messages that name it',
  'src/modules/media/media-removal.ts: invoices': 'deleting media first looks for invoices that name it',
  'src/modules/media/provider-media.ts: phone_numbers': "media sent from a number must be of the number's workspace (one join)",
  'src/modules/messaging/message-history.ts: conversations': "a conversation's history first checks the conversation is of the workspace",
  'src/modules/agent-inbox/assignment.ts: users': "automatic assignment picks an online member of the queue's team with room, with their open conversations, in one statement inside the handoff's transaction",
  'src/modules/agent-inbox/assignment.ts: team_members': "the same statement joins the team's members",
  'src/modules/agent-inbox/assignment.ts: teams': 'the same statement finds the team working the queue (and an agent freeing a slot, the queues of their teams)',
  'src/modules/agent-inbox/assignment.ts: conversations': "an agent's load counts their conversations inside that statement; a freed slot takes the oldest conversation waiting in their queues",
  'src/modules/messaging/read-receipts.ts: conversations': 'typing on a conversation first checks the conversation is of the workspace',
  'src/modules/desk/labels.ts: conversations': "the workspace's labels count the conversations carrying each that the viewer may see (one grouped join)",
  'src/modules/desk/supervisor-board.ts: conversations': "the supervisor's board counts conversations by owner (queue sizes and waits, agents' loads, live ones) in grouped statements",
  'src/modules/desk/supervisor-board.ts: conversation_transitions': "the supervisor's board reads one day's handoffs and resolves of the workspace (first response and resolution times)",
  'src/modules/desk/supervisor-board.ts: contacts': "the supervisor's list of live conversations names each one's contact (a join in the same statement)",
  'src/modules/desk/supervisor-board.ts: messages': "the supervisor's board reads the times of the day's outbound messages of those conversations (the first agent reply after a handoff)",
  'src/modules/realtime/scopes.ts: conversations': "the realtime hub looks up each batch's conversations' scope (workspace, owner, queue) in one statement to decide which browsers may see an event",
  'src/modules/leads/leads.ts: contacts': "a leads page and each export page join every lead's contact wa_id and name (one statement a page; `q` searches the name)",
  'src/modules/realtime/scopes.ts: messages': "a status event names a message, not its conversation: the hub finds the conversation through the message, in the same batched lookup",
  // The right of access (issue 13): a cross-cutting reader of every table holding a person's data.
  ...Object.fromEntries(
    ['contacts', 'contact_aliases', 'blocked_users', 'phone_numbers', 'consents', 'conversations', 'conversation_transitions', 'conversation_labels', 'conversation_notes', 'bot_sessions', 'messages', 'media', 'form_submissions', 'survey_responses', 'leads', 'campaigns', 'campaign_recipients', 'notifications', 'invoices', 'groups', 'group_participants'].map((table) => [
      `src/modules/privacy/person-data.ts: ${table}`,
      'the person export reads everything held about one person, each table scoped by workspace and contact, and never writes',
    ]),
  ),
  'src/modules/privacy/erase-inventory.ts: conversations': "erasure finds the person's conversations, once, before their owners delete them",
  'src/modules/privacy/erase-inventory.ts: messages': "erasure reads the person's messages (ids, wamids, the media they name) in keyset pages, to find them in raw webhooks, events and deliveries",
  'src/modules/privacy/erase-inventory.ts: media': "erasure finds the media the person's messages brought (by `source_message_id`)",
  'src/modules/privacy/erase-inventory.ts: conversation_transitions': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: conversation_notes': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: conversation_labels': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: bot_sessions': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: bot_tasks': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: bot_log': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: consents': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: form_submissions': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: survey_responses': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: leads': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: notifications': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
  'src/modules/privacy/erase-inventory.ts: group_participants': "erasure counts the person's rows, for its report, before the contact's cascade deletes them",
};

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });

const WRITE = /\b(updateTable|insertInto|deleteFrom)\(\s*'([a-z_]+)/g;
const READ = /\b(selectFrom|innerJoin|leftJoin|rightJoin|fullJoin)\(\s*'([a-z_]+)/g;

/** Every table access of src/ outside its owner: `file: table` with the operation. */
function accesses(): Array<{ file: string; module: string; table: string; op: string; write: boolean }> {
  const found: Array<{ file: string; module: string; table: string; op: string; write: boolean }> = [];
  for (const file of sources('src')) {
    if (file.startsWith(join('src', 'db', 'migrations')) || file.startsWith(join('src', 'sandbox'))) continue;
    const module = file.startsWith(join('src', 'modules')) ? (file.split(/[\\/]/)[2] as string) : (file.split(/[\\/]/)[1] as string);
    // Comments (JSDoc examples) are not accesses.
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const [pattern, write] of [[WRITE, true], [READ, false]] as const) {
      for (const match of text.matchAll(pattern)) found.push({ file: file.replace(/\\/g, '/'), module, table: match[2] as string, op: match[1] as string, write });
    }
  }
  return found;
}

describe('table owners', () => {
  const all = accesses();

  it('knows every table of the schema, and finds the accesses', () => {
    const schema = readFileSync('src/db/schema.ts', 'utf8');
    const tables = [...(schema.match(/export interface Schema \{([^}]*)\}/)?.[1] ?? '').matchAll(/^\s+([a-z_]+):/gm)].map((match) => match[1]);
    expect(tables.length).toBeGreaterThan(20);
    expect(tables.filter((table) => !(table as string in OWNERS))).toEqual([]);
    expect(all.filter((access) => access.write).length).toBeGreaterThan(50);
  });

  it('lets only the owning module write a table', () => {
    const foreign = all.filter((access) => access.write && OWNERS[access.table] !== access.module).map((access) => `${access.file}: ${access.op}('${access.table}') (owner: ${OWNERS[access.table] ?? 'none'})`);
    expect([...new Set(foreign)]).toEqual([]);
  });

  it('keeps the template tables written by one class (TemplateService asks TemplateCache)', () => {
    const elsewhere = all.filter((access) => access.write && access.table in WRITER_FILES && access.file !== WRITER_FILES[access.table]).map((access) => `${access.file}: ${access.op}('${access.table}')`);
    expect([...new Set(elsewhere)]).toEqual([]);
  });

  it('lets another module read a table only where the reason is written down', () => {
    const undocumented = all.filter((access) => !access.write && OWNERS[access.table] !== access.module && !(`${access.file}: ${access.table}` in ALLOWED_READS)).map((access) => `${access.file}: ${access.table}`);
    expect([...new Set(undocumented)]).toEqual([]);
    const stale = Object.keys(ALLOWED_READS).filter((key) => !all.some((access) => `${access.file}: ${access.table}` === key));
    expect(stale).toEqual([]);
  });

  it('is the table of docs/architecture.md', () => {
    const doc = readFileSync('docs/architecture.md', 'utf8');
    const section = doc.slice(doc.indexOf('## Who owns which table'));
    const listed = Object.fromEntries([...section.matchAll(/^\| `([a-z_]+)` \| ([a-z-]+) \|/gm)].map((match) => [match[1], match[2]]));
    expect(listed).toEqual(OWNERS);
    for (const key of Object.keys(ALLOWED_READS)) expect(section, key).toContain(key.split(': ')[0]);
  });
});

import type { Kysely } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import { dayBounds, percentile } from './day-figures.js';
import type { DeskPeople } from './ports.js';

/** What a supervisor sees at a glance. Durations in seconds. */
export interface SupervisorBoard {
  /** When these figures were read (the numbers' clock: sandbox time for the embedded sandbox's numbers). */
  at: string;
  queues: Array<{ queue: string; team_ids: string[]; size: number; oldest_waiting_since: string | null; average_wait_seconds: number | null }>;
  agents: Array<{ id: string; name: string; email: string; role: string; presence: string; capacity: number; open_conversations: number; team_ids: readonly string[] }>;
  live: { with_agents: number; in_queues: number; with_bot: number };
  /**
   * The conversations with people now (waiting in a queue or with an agent), longest waiting
   * first, at most {@link LIVE_LIST_LIMIT}. `waiting_since`: in a queue, since it entered it; with
   * an agent, since the customer's latest message when it has no answer yet (null otherwise).
   */
  conversations: Array<{
    id: string;
    contact: { id: string; name: string | null; wa_id: string };
    owner: { type: 'queue' | 'agent'; id: string; name: string | null };
    queue: string | null;
    owner_since: string | null;
    waiting_since: string | null;
    last_message_at: string | null;
  }>;
  /** True when more conversations are live than `conversations` lists. */
  conversations_truncated: boolean;
  today: {
    date: string;
    time_zone: string;
    /** `workspace` (its own zone), `request` (asked for) or `default` (UTC: the workspace has none). */
    time_zone_source: 'workspace' | 'request' | 'default';
    from: string;
    to: string;
    handoffs: number;
    /** Handoff → the first message sent while an agent owns the conversation. */
    first_response: { count: number; median_seconds: number | null; p90_seconds: number | null };
    /** Handoff → resolved, for the conversations resolved today. */
    resolution: { count: number; median_seconds: number | null; p90_seconds: number | null };
  };
}

/** The longest list of live conversations the board answers. */
export const LIVE_LIST_LIMIT = 200;

/**
 * The supervisor's board of a workspace (issue 11): queues, agents and their load, the
 * conversations live now, and today's first response and resolution times, from the
 * ownership transitions (migration 0019) and the messages sent.
 *
 * Reads `conversations`, `conversation_transitions` and `messages` directly: grouped counts and
 * one day's transitions are a few statements here, where asking their modules row by row would
 * not be (docs/architecture.md lists these reads).
 */
export class SupervisorBoards {
  constructor(private readonly deps: { db: Kysely<Schema>; people: DeskPeople; clock?: Clock }) {}

  async read(workspaceId: string, zone: { timeZone: string; source: 'workspace' | 'request' | 'default' }): Promise<SupervisorBoard> {
    const clock = this.deps.clock ?? realClock;
    const now = clock.latest();
    const nowIso = now.toISOString();
    const db = this.deps.db;
    const [people, teams] = await Promise.all([this.deps.people.people(workspaceId), this.deps.people.teams(workspaceId)]);

    const owned = await db
      .selectFrom('conversations')
      .select(['owner_type', 'owner_id', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min('owner_since').as('oldest')])
      .where('workspace_id', '=', workspaceId)
      .where('owner_type', 'in', ['queue', 'agent'])
      .groupBy(['owner_type', 'owner_id'])
      .execute();
    const waiting = await db.selectFrom('conversations').select(['owner_id', 'owner_since', 'created_at']).where('workspace_id', '=', workspaceId).where('owner_type', '=', 'queue').execute();
    const withBot = await db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('workspace_id', '=', workspaceId)
      .where('owner_type', '=', 'bot')
      .where('window_expires_at', '>', nowIso)
      .executeTakeFirstOrThrow();

    const waits = new Map<string, number[]>();
    for (const row of waiting) {
      const since = Date.parse(row.owner_since ?? row.created_at);
      waits.set(row.owner_id ?? '', [...(waits.get(row.owner_id ?? '') ?? []), Math.max(0, now.getTime() - since) / 1000]);
    }
    const queueNames = new Set([...teams.map((team) => team.queue), ...owned.filter((row) => row.owner_type === 'queue').map((row) => row.owner_id ?? '')]);
    const queues = [...queueNames].sort().map((queue) => {
      const row = owned.find((r) => r.owner_type === 'queue' && r.owner_id === queue);
      const list = waits.get(queue) ?? [];
      return {
        queue,
        team_ids: teams.filter((team) => team.queue === queue).map((team) => team.id),
        size: Number(row?.count ?? 0),
        oldest_waiting_since: (row?.oldest as string | null | undefined) ?? null,
        average_wait_seconds: list.length > 0 ? Math.round(list.reduce((a, b) => a + b, 0) / list.length) : null,
      };
    });
    const load = new Map(owned.filter((row) => row.owner_type === 'agent').map((row) => [row.owner_id, Number(row.count)]));
    const agents = people
      .filter((person) => person.active)
      .map((person) => ({ id: person.id, name: person.name, email: person.email, role: person.role, presence: person.presence, capacity: person.capacity, open_conversations: load.get(person.id) ?? 0, team_ids: person.team_ids }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const sum = (type: string) => owned.filter((row) => row.owner_type === type).reduce((total, row) => total + Number(row.count), 0);

    const live = await this.#live(workspaceId, new Map(people.map((person) => [person.id, person.name])));

    const day = dayBounds(now, zone.timeZone);
    const today = await this.#today(workspaceId, day.start.toISOString(), day.end.toISOString());
    return {
      at: nowIso,
      queues,
      agents,
      live: { with_agents: sum('agent'), in_queues: sum('queue'), with_bot: Number(withBot.count) },
      conversations: live.conversations,
      conversations_truncated: live.truncated,
      today: { date: day.date, time_zone: zone.timeZone, time_zone_source: zone.source, from: day.start.toISOString(), to: day.end.toISOString(), ...today },
    };
  }

  /**
   * The conversations with people now, in one statement (with their contacts): those waiting
   * for an answer first (in a queue since it entered it, with an agent since the customer's
   * unanswered message), oldest wait first; then the answered ones, by latest activity.
   */
  async #live(workspaceId: string, names: ReadonlyMap<string, string>): Promise<{ conversations: SupervisorBoard['conversations']; truncated: boolean }> {
    const rows = await this.deps.db
      .selectFrom('conversations as c')
      .innerJoin('contacts as k', 'k.id', 'c.contact_id')
      .select(['c.id', 'c.owner_type', 'c.owner_id', 'c.queue', 'c.owner_since', 'c.created_at', 'c.last_inbound_at', 'c.last_message_at', 'k.id as contact_id', 'k.name as contact_name', 'k.wa_id'])
      .where('c.workspace_id', '=', workspaceId)
      .where('c.owner_type', 'in', ['queue', 'agent'])
      .orderBy('c.owner_since')
      .orderBy('c.id')
      .limit(LIVE_LIST_LIMIT + 1)
      .execute();
    const conversations = rows.slice(0, LIVE_LIST_LIMIT).map((row) => {
      const inQueue = row.owner_type === 'queue';
      const unanswered = row.last_inbound_at !== null && (row.last_message_at === null || row.last_inbound_at >= row.last_message_at);
      return {
        id: row.id,
        contact: { id: row.contact_id, name: row.contact_name, wa_id: row.wa_id },
        owner: { type: inQueue ? ('queue' as const) : ('agent' as const), id: row.owner_id ?? '', name: inQueue ? row.owner_id : (names.get(row.owner_id ?? '') ?? null) },
        queue: row.queue,
        owner_since: row.owner_since,
        waiting_since: inQueue ? (row.owner_since ?? row.created_at) : unanswered ? row.last_inbound_at : null,
        last_message_at: row.last_message_at,
      };
    });
    const waitKey = (item: (typeof conversations)[number]) => item.waiting_since ?? '9999';
    conversations.sort((a, b) => waitKey(a).localeCompare(waitKey(b)) || (b.last_message_at ?? '').localeCompare(a.last_message_at ?? '') || a.id.localeCompare(b.id));
    return { conversations, truncated: rows.length > LIVE_LIST_LIMIT };
  }

  /**
   * Today's handoffs and resolves, and for each handoff the first message sent after an agent
   * took the conversation (before it was resolved): the bot's own goodbye and messages sent
   * while it waited in a queue are not an agent's reply.
   */
  async #today(workspaceId: string, from: string, to: string): Promise<Pick<SupervisorBoard['today'], 'handoffs' | 'first_response' | 'resolution'>> {
    const db = this.deps.db;
    const marks = await db
      .selectFrom('conversation_transitions')
      .select(['conversation_id'])
      .where('workspace_id', '=', workspaceId)
      .where('action', 'in', ['handoff', 'resolve'])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .execute();
    const conversations = [...new Set(marks.map((row) => row.conversation_id))];
    if (conversations.length === 0) return { handoffs: 0, first_response: figures([]), resolution: figures([]) };
    // Their transitions up to the end of the day (a resolve today may close yesterday's handoff).
    const transitions = await db
      .selectFrom('conversation_transitions')
      .select(['id', 'conversation_id', 'action', 'to_type', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('conversation_id', 'in', conversations)
      .where('created_at', '<', to)
      .orderBy('id')
      .execute();
    const sent = await db
      .selectFrom('messages')
      .select(['conversation_id', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('conversation_id', 'in', conversations)
      .where('direction', '=', 'out')
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .orderBy('created_at')
      .execute();

    const firstResponses: number[] = [];
    const resolutions: number[] = [];
    let handoffs = 0;
    for (const conversation of conversations) {
      const own = transitions.filter((t) => t.conversation_id === conversation);
      const out = sent.filter((m) => m.conversation_id === conversation).map((m) => m.created_at);
      let handoff: string | undefined;
      let agentSince: string | undefined;
      let answered = false;
      for (const t of own) {
        if (t.action === 'handoff') {
          handoff = t.created_at;
          agentSince = undefined;
          answered = false;
          if (t.created_at >= from) handoffs += 1;
          continue;
        }
        if (!handoff) continue;
        if (t.to_type === 'agent' && agentSince === undefined) agentSince = t.created_at;
        if (t.action === 'resolve') {
          if (handoff >= from && !answered) answered = recordReply(handoff, agentSince, t.created_at, out, firstResponses);
          if (t.created_at >= from) resolutions.push(seconds(handoff, t.created_at));
          handoff = undefined;
        }
      }
      // Still with people at the end of the day: its reply, if one came.
      if (handoff && handoff >= from && !answered) recordReply(handoff, agentSince, undefined, out, firstResponses);
    }
    return { handoffs, first_response: figures(firstResponses), resolution: figures(resolutions) };
  }
}

function recordReply(handoff: string, agentSince: string | undefined, until: string | undefined, out: readonly string[], into: number[]): boolean {
  if (agentSince === undefined) return false;
  const reply = out.find((at) => at >= agentSince && (until === undefined || at <= until));
  if (reply === undefined) return false;
  into.push(seconds(handoff, reply));
  return true;
}

function seconds(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function figures(values: number[]): { count: number; median_seconds: number | null; p90_seconds: number | null } {
  const round = (value: number | null) => (value === null ? null : Math.round(value));
  return { count: values.length, median_seconds: round(percentile(values, 0.5)), p90_seconds: round(percentile(values, 0.9)) };
}

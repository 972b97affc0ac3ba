/** The shapes the app reads from /app/api (the brief's contract; see docs/inbox.md). */
export type Role = 'admin' | 'supervisor' | 'agent';
export type Presence = 'online' | 'away' | 'offline';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  team_ids: string[];
  capacity: number;
  presence: Presence;
  must_change_password: boolean;
  active: boolean;
  created_at: string;
}

export interface Session {
  user: User;
  csrf_token: string;
}

export interface Team {
  id: string;
  name: string;
  queue: string;
  member_ids?: string[];
  members?: Array<{ id: string; name?: string }>;
}

export interface Agent {
  id: string;
  name: string;
  email?: string;
  role?: Role;
  presence: Presence;
  capacity: number;
  team_ids: string[];
  load?: number;
}

export const VIEWS = ['mine', 'queue', 'teams', 'bot', 'resolved', 'all'] as const;
export type View = (typeof VIEWS)[number];
export type Counts = Record<View, number>;

export interface LastMessage {
  id: string;
  direction: 'in' | 'out';
  type: string;
  preview: string | null;
  status: string;
  created_at: string;
}

export interface Handoff {
  reason: string | null;
  summary: Record<string, unknown> | null;
  actor: { type: string; id: string | null };
  at: string;
}

export interface Conversation {
  id: string;
  contact_id: string;
  phone_number_id: string;
  owner: { type: string; id: string | null; since: string; name?: string | null };
  queue: string | null;
  resolved_at: string | null;
  window_open: boolean;
  window_expires_at: string | null;
  last_message_at: string | null;
  last_activity_at?: string;
  created_at: string;
  contact: { id: string; wa_id: string; name: string | null };
  last_message?: LastMessage | null;
  unread_count?: number;
  handoff?: Handoff | null;
  labels?: string[];
  snooze?: { until: string | null; until_next_message: boolean } | null;
  /** GET /conversations/:id only: the bot's part (its session's variables, its latest log lines). */
  bot?: {
    session: { flow: string; version: number; waiting: string | null; vars: Record<string, unknown> } | null;
    log: Array<{ flow: string; step: string | null; level: string; message: string; created_at: string }>;
  };
  /** GET /conversations/:id only: what the composer may send now. */
  composer?: { mode: 'free' | 'templates_only'; window_expires_at: string | null };
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Message {
  id: string;
  conversation_id: string;
  direction: 'in' | 'out';
  type: string;
  content: unknown;
  status: string;
  wamid: string | null;
  error: { code: number; title: string | null; details: string | null } | null;
  cost?: { currency: string; amount_micros: number } | null;
  created_at: string;
  sent_at?: string | null;
  delivered_at?: string | null;
  read_at?: string | null;
  deleted_at?: string | null;
  reacts_to?: string | null;
  forwarded?: boolean;
  reactions?: Array<{ emoji: string; from: string; at: string }>;
  /** Who queued an outbound message (null: not known); `name`: the agent's, in history pages. */
  sent_by?: { type: 'agent' | 'bot' | 'api' | 'system'; id: string | null; name?: string } | null;
}


export interface Template {
  id?: string;
  name: string;
  language: string;
  category: string;
  status?: string;
  components?: Array<{ type: string; format?: string; text?: string; buttons?: Array<{ type: string; text: string; url?: string; phone_number?: string }> }>;
  cost?: { currency: string; amount_micros: number } | null;
  parameter_format?: string;
  /** The values a send must give (GET /conversations/:id/templates). */
  parameters?: {
    header: { type: string; variables?: string[] } | null;
    body: string[];
    buttons: Array<{ index: number; type: string; variables: string[] }>;
  };
}

export interface Note {
  id: string;
  text: string;
  author: { id: string; name: string | null };
  mentions: Array<{ id: string; name: string | null }>;
  created_at: string;
}

export interface CannedReply {
  id: string;
  /** As typed in the composer: `/frete`. */
  shortcut: string;
  title: string;
  text: string;
}

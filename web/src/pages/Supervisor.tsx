import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import type { CannedReply } from '../types';
import { duration, ErrorNote, shortTime } from '../ui';

/** GET /app/api/supervisor. */
interface Board {
  at: string;
  queues: Array<{ queue: string; size: number; oldest_waiting_since: string | null; average_wait_seconds: number | null }>;
  agents: Array<{ id: string; name: string; email: string; role: string; presence: string; capacity: number; open_conversations: number }>;
  live: { with_agents: number; in_queues: number; with_bot: number };
  conversations: Array<{
    id: string;
    contact: { id: string; name: string | null; wa_id: string };
    owner: { type: 'queue' | 'agent'; id: string; name: string | null };
    queue: string | null;
    owner_since: string | null;
    waiting_since: string | null;
  }>;
  conversations_truncated: boolean;
  today: {
    date: string;
    time_zone: string;
    handoffs: number;
    first_response: { count: number; median_seconds: number | null; p90_seconds: number | null };
    resolution: { count: number; median_seconds: number | null; p90_seconds: number | null };
  };
}

/** Queues and their waits, agents and their load, live counts, today's first response and resolution times. */
export function Supervisor() {
  const { t, i18n } = useTranslation();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // Live: refreshed by the WebSocket's events (realtime.ts), and every 15 s for the waiting times.
  const board = useQuery({ queryKey: ['supervisor', zone], queryFn: () => api<Board>('GET', `/supervisor?time_zone=${encodeURIComponent(zone)}`), refetchInterval: 15_000 });
  const data = board.data;
  const now = data ? Date.parse(data.at) : Date.now();
  return (
    <main className="page supervisor">
      <h1>{t('supervisor.title')}</h1>
      {board.error ? <ErrorNote error={board.error} /> : null}
      {data ? (
        <>
          <section className="cards" aria-label={t('supervisor.live')}>
            <Card value={data.live.in_queues} label={t('supervisor.count.queue')} />
            <Card value={data.live.with_agents} label={t('supervisor.count.agents')} />
            <Card value={data.live.with_bot} label={t('supervisor.count.bot')} />
            <Card value={data.today.handoffs} label={t('supervisor.handoffsToday')} />
            <Card value={duration(data.today.first_response.median_seconds)} label={t('supervisor.firstResponse')} hint={t('supervisor.p90', { value: duration(data.today.first_response.p90_seconds), count: data.today.first_response.count })} />
            <Card value={duration(data.today.resolution.median_seconds)} label={t('supervisor.resolution')} hint={t('supervisor.p90', { value: duration(data.today.resolution.p90_seconds), count: data.today.resolution.count })} />
          </section>
          <section>
            <h2>{t('supervisor.queues')}</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('supervisor.queue')}</th>
                  <th scope="col">{t('supervisor.waiting')}</th>
                  <th scope="col">{t('supervisor.longestWait')}</th>
                  <th scope="col">{t('supervisor.averageWait')}</th>
                </tr>
              </thead>
              <tbody>
                {data.queues.map((queue) => (
                  <tr key={queue.queue}>
                    <td>{queue.queue}</td>
                    <td>{queue.size}</td>
                    <td>{queue.oldest_waiting_since ? duration((now - Date.parse(queue.oldest_waiting_since)) / 1000) : '—'}</td>
                    <td>{duration(queue.average_wait_seconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>{t('supervisor.agents')}</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('supervisor.agent')}</th>
                  <th scope="col">{t('supervisor.presence')}</th>
                  <th scope="col">{t('supervisor.load')}</th>
                </tr>
              </thead>
              <tbody>
                {data.agents.map((agent) => (
                  <tr key={agent.id}>
                    <td>
                      {agent.name} <small className="muted">{t(`roles.${agent.role}`, { defaultValue: agent.role })}</small>
                    </td>
                    <td>
                      <span className={`dot presence-${agent.presence}`} aria-hidden="true" /> {t(`presence.${agent.presence}`, { defaultValue: agent.presence })}
                    </td>
                    <td>
                      <meter min={0} max={Math.max(agent.capacity, 1)} value={agent.open_conversations} aria-label={t('supervisor.loadOf', { name: agent.name })} /> {agent.open_conversations}/{agent.capacity}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h2 id="live-conversations">{t('supervisor.liveList')}</h2>
            <table aria-labelledby="live-conversations">
              <thead>
                <tr>
                  <th scope="col">{t('supervisor.contact')}</th>
                  <th scope="col">{t('supervisor.queue')}</th>
                  <th scope="col">{t('supervisor.agent')}</th>
                  <th scope="col">{t('supervisor.waitingSince')}</th>
                </tr>
              </thead>
              <tbody>
                {data.conversations.map((item) => (
                  <tr key={item.id} data-conversation-id={item.id}>
                    <td>
                      <Link to={`/inbox/${item.id}?view=all`}>{item.contact.name ?? `+${item.contact.wa_id}`}</Link>
                    </td>
                    <td>{item.queue ?? '—'}</td>
                    <td>{item.owner.type === 'agent' ? (item.owner.name ?? '—') : <span className="badge queue">{t('supervisor.inQueue')}</span>}</td>
                    <td>
                      {item.waiting_since ? (
                        <time dateTime={item.waiting_since} title={item.waiting_since}>
                          {duration((now - Date.parse(item.waiting_since)) / 1000)}
                        </time>
                      ) : (
                        <span className="muted">{t('supervisor.answered')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.conversations.length === 0 ? <p className="empty">{t('supervisor.noLive')}</p> : null}
            {data.conversations_truncated ? <p className="muted">{t('supervisor.truncated', { count: data.conversations.length })}</p> : null}
          </section>
          <p className="muted">{t('supervisor.asOf', { time: shortTime(data.at, i18n.language), zone: data.today.time_zone })}</p>
        </>
      ) : null}
      <CannedReplies />
    </main>
  );
}

/** The workspace's canned replies: create (shortcut, title, text with {{variables}}), list, delete. */
function CannedReplies() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ['canned'], queryFn: () => api<{ data: CannedReply[]; variables?: string[] }>('GET', '/canned-replies') });
  const [form, setForm] = useState({ shortcut: '/', title: '', text: '' });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['canned'] });
  const create = useMutation({
    mutationFn: () => api('POST', '/canned-replies', form),
    onSuccess: () => {
      setForm({ shortcut: '/', title: '', text: '' });
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `/canned-replies/${id}`), onSuccess: refresh });
  return (
    <section className="canned-admin">
      <h2>{t('canned.title')}</h2>
      <form
        className="inline-form"
        aria-label={t('canned.new')}
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <label>
          {t('canned.shortcut')}
          <input required value={form.shortcut} pattern="/[A-Za-z0-9_-]{1,31}" onChange={(e) => setForm({ ...form, shortcut: e.target.value })} />
        </label>
        <label>
          {t('canned.name')}
          <input required value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </label>
        <label>
          {t('canned.text')}
          <textarea required rows={3} value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} />
        </label>
        <p className="muted">{t('canned.variables', { list: (list.data?.variables ?? ['contact.name', 'agent.name']).map((name) => `{{${name}}}`).join(' ') })}</p>
        <ErrorNote error={create.error} />
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('canned.create')}
        </button>
      </form>
      <ErrorNote error={list.error ?? remove.error} />
      <ul className="canned-list" aria-label={t('canned.title')}>
        {(list.data?.data ?? []).map((reply) => (
          <li key={reply.id}>
            <strong>{reply.shortcut}</strong> {reply.title} <span className="muted">{reply.text}</span>{' '}
            <button type="button" onClick={() => remove.mutate(reply.id)} aria-label={t('canned.delete', { shortcut: reply.shortcut })}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Card({ value, label, hint }: { value: number | string; label: string; hint?: string }) {
  return (
    <div className="card">
      <span className="card-value">{value}</span>
      <span className="card-label">{label}</span>
      {hint ? <small className="muted">{hint}</small> : null}
    </div>
  );
}

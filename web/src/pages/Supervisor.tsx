import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { rec, str } from '../conversation/content';
import { duration, ErrorNote, shortTime } from '../ui';

type Row = Record<string, unknown>;

/** Queues and their waits, agents and their load, live counts, today's first response and resolution times. */
export function Supervisor() {
  const { t, i18n } = useTranslation();
  // Live: refreshed by the WebSocket's events (realtime.ts) and every 15 s for the waiting times.
  const board = useQuery({ queryKey: ['supervisor'], queryFn: () => api<Row>('GET', '/supervisor'), refetchInterval: 15_000 });
  const data = board.data ?? {};
  const queues = (Array.isArray(data.queues) ? data.queues : []).map(rec);
  const agents = (Array.isArray(data.agents) ? data.agents : []).map(rec);
  const live = (Array.isArray(data.conversations) ? data.conversations : []).map(rec);
  const counts = rec(data.counts);
  const today = rec(data.today ?? data.times);
  const num = (value: unknown) => (typeof value === 'number' ? value : undefined);

  return (
    <main className="page supervisor">
      <h1>{t('supervisor.title')}</h1>
      {board.error ? <ErrorNote error={board.error} /> : null}
      <section className="cards" aria-label={t('supervisor.today')}>
        {Object.entries(counts).map(([key, value]) => (
          <div key={key} className="card">
            <span className="card-value">{String(value)}</span>
            <span className="card-label">{t(`supervisor.count.${key}`, { defaultValue: key })}</span>
          </div>
        ))}
        <div className="card">
          <span className="card-value">{duration(num(today.first_response_seconds_avg) ?? num(today.first_response_avg_seconds) ?? num(rec(today.first_response).avg_seconds))}</span>
          <span className="card-label">{t('supervisor.firstResponse')}</span>
        </div>
        <div className="card">
          <span className="card-value">{duration(num(today.resolution_seconds_avg) ?? num(today.resolution_avg_seconds) ?? num(rec(today.resolution).avg_seconds))}</span>
          <span className="card-label">{t('supervisor.resolution')}</span>
        </div>
        {num(today.resolved) !== undefined ? (
          <div className="card">
            <span className="card-value">{num(today.resolved)}</span>
            <span className="card-label">{t('supervisor.resolvedToday')}</span>
          </div>
        ) : null}
      </section>
      <section>
        <h2>{t('supervisor.queues')}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('supervisor.queue')}</th>
              <th scope="col">{t('supervisor.waiting')}</th>
              <th scope="col">{t('supervisor.longestWait')}</th>
              <th scope="col">{t('supervisor.withAgents')}</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((queue) => (
              <tr key={str(queue.queue) ?? str(queue.name)}>
                <td>{str(queue.queue) ?? str(queue.name)}</td>
                <td>{String(queue.waiting ?? 0)}</td>
                <td>{duration(num(queue.oldest_wait_seconds) ?? num(queue.longest_wait_seconds) ?? num(queue.max_wait_seconds))}</td>
                <td>{String(queue.with_agents ?? queue.assigned ?? '—')}</td>
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
            {agents.map((agent) => (
              <tr key={str(agent.id)}>
                <td>{str(agent.name)}</td>
                <td>
                  <span className={`dot presence-${str(agent.presence)}`} aria-hidden="true" /> {t(`presence.${str(agent.presence) ?? 'offline'}`)}
                </td>
                <td>
                  <meter min={0} max={num(agent.capacity) ?? 5} value={num(agent.load) ?? num(agent.open) ?? 0} aria-label={t('supervisor.loadOf', { name: str(agent.name) })} />{' '}
                  {String(agent.load ?? agent.open ?? 0)}/{String(agent.capacity ?? '—')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {live.length > 0 ? (
        <section>
          <h2>{t('supervisor.live')}</h2>
          <ul className="live">
            {live.map((item) => (
              <li key={str(item.id)}>
                <Link to={`/inbox/${str(item.id)}`}>{str(rec(item.contact).name) ?? str(rec(item.contact).wa_id) ?? str(item.id)}</Link> <span className="muted">{str(rec(item.owner).name) ?? str(rec(item.owner).id) ?? ''}</span>{' '}
                <small>{shortTime(str(item.last_message_at), i18n.language)}</small>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}

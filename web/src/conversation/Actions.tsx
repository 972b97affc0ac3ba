import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useApp } from '../realtime-context';
import type { Agent, Conversation, Team } from '../types';
import { Dialog, ErrorNote, typingInField } from '../ui';

type Action = { path: string; body?: unknown };

/** Take, assign, transfer (to an agent or a team), resolve (with the survey), snooze. Shortcuts t and e. */
export function Actions({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const { session } = useApp();
  const queries = useQueryClient();
  const [dialog, setDialog] = useState<'assign' | 'transfer' | 'resolve' | 'snooze' | null>(null);
  const run = useMutation({
    mutationFn: (action: Action) => api('POST', `/conversations/${conversation.id}/${action.path}`, action.body),
    onSuccess: () => {
      setDialog(null);
      for (const key of [['conversation', conversation.id], ['conversations'], ['counts'], ['messages', conversation.id]]) void queries.invalidateQueries({ queryKey: key });
    },
  });
  const mine = conversation.owner.type === 'agent' && conversation.owner.id === session.user.id;
  const canTake = !mine;
  const isResolved = conversation.owner.type === 'bot';

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]')) return;
      if (event.key === 't' && canTake) {
        event.preventDefault();
        run.mutate({ path: 'take' });
      } else if (event.key === 'e' && !isResolved) {
        event.preventDefault();
        setDialog('resolve');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canTake, isResolved, run]);

  return (
    <div className="actions" role="toolbar" aria-label={t('actions.title')}>
      {canTake ? (
        <button type="button" className="primary" onClick={() => run.mutate({ path: 'take' })} disabled={run.isPending}>
          {t('actions.take')}
        </button>
      ) : null}
      {session.user.role !== 'agent' ? (
        <button type="button" onClick={() => setDialog('assign')}>
          {t('actions.assign')}
        </button>
      ) : null}
      <button type="button" onClick={() => setDialog('transfer')}>
        {t('actions.transfer')}
      </button>
      {!isResolved ? (
        <button type="button" onClick={() => setDialog('resolve')}>
          {t('actions.resolve')}
        </button>
      ) : null}
      {conversation.snooze ? (
        <button type="button" onClick={() => run.mutate({ path: 'unsnooze' })}>
          {t('actions.unsnooze')}
        </button>
      ) : (
        <button type="button" onClick={() => setDialog('snooze')}>
          {t('actions.snooze')}
        </button>
      )}
      {run.error ? <ErrorNote error={run.error} /> : null}
      <Dialog open={dialog === 'assign' || dialog === 'transfer'} onClose={() => setDialog(null)} title={dialog === 'assign' ? t('actions.assign') : t('actions.transfer')}>
        <PickTarget teams={dialog === 'transfer'} onPick={(body) => run.mutate({ path: dialog === 'assign' ? 'assign' : 'transfer', body })} error={run.error} />
      </Dialog>
      <Dialog open={dialog === 'resolve'} onClose={() => setDialog(null)} title={t('actions.resolve')}>
        <Resolve onResolve={(survey) => run.mutate({ path: 'resolve', body: { survey } })} error={run.error} busy={run.isPending} />
      </Dialog>
      <Dialog open={dialog === 'snooze'} onClose={() => setDialog(null)} title={t('actions.snooze')}>
        <Snooze onSnooze={(body) => run.mutate({ path: 'snooze', body })} error={run.error} />
      </Dialog>
    </div>
  );
}

function PickTarget({ teams, onPick, error }: { teams: boolean; onPick: (body: { user_id: string } | { team_id: string }) => void; error: unknown }) {
  const { t } = useTranslation();
  const agents = useQuery({ queryKey: ['agents'], queryFn: () => api<{ data: Agent[] }>('GET', '/agents') });
  const teamList = useQuery({ queryKey: ['teams'], queryFn: () => api<{ data: Team[] }>('GET', '/teams'), enabled: teams, retry: false });
  return (
    <div className="pick">
      <h3>{t('actions.agents')}</h3>
      {agents.error ? <ErrorNote error={agents.error} /> : null}
      <ul>
        {(agents.data?.data ?? []).map((agent) => (
          <li key={agent.id}>
            <button type="button" onClick={() => onPick({ user_id: agent.id })}>
              <span className={`dot presence-${agent.presence}`} aria-hidden="true" /> {agent.name} <small className="muted">{t(`presence.${agent.presence}`)}</small>
            </button>
          </li>
        ))}
      </ul>
      {teams && teamList.data ? (
        <>
          <h3>{t('actions.teams')}</h3>
          <ul>
            {teamList.data.data.map((team) => (
              <li key={team.id}>
                <button type="button" onClick={() => onPick({ team_id: team.id })}>
                  {team.name} <small className="muted">({team.queue})</small>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}

function Resolve({ onResolve, error, busy }: { onResolve: (survey: boolean) => void; error: unknown; busy: boolean }) {
  const { t } = useTranslation();
  const [survey, setSurvey] = useState(true);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        onResolve(survey);
      }}
    >
      <p>{t('actions.resolveHint')}</p>
      <label className="check">
        <input type="checkbox" checked={survey} onChange={(e) => setSurvey(e.target.checked)} /> {t('actions.survey')}
      </label>
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('actions.confirmResolve')}
      </button>
    </form>
  );
}

function Snooze({ onSnooze, error }: { onSnooze: (body: { until: string } | { until_next_message: true }) => void; error: unknown }) {
  const { t } = useTranslation();
  const [until, setUntil] = useState('');
  const inHours = (hours: number) => onSnooze({ until: new Date(Date.now() + hours * 3600_000).toISOString() });
  return (
    <div className="snooze">
      <button type="button" onClick={() => inHours(1)}>
        {t('actions.snooze1h')}
      </button>
      <button type="button" onClick={() => inHours(24)}>
        {t('actions.snoozeTomorrow')}
      </button>
      <button type="button" onClick={() => onSnooze({ until_next_message: true })}>
        {t('actions.snoozeNext')}
      </button>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (until) onSnooze({ until: new Date(until).toISOString() });
        }}
      >
        <label>
          {t('actions.snoozeUntil')}
          <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} required />
        </label>
        <button type="submit">{t('actions.snooze')}</button>
      </form>
      <ErrorNote error={error} />
    </div>
  );
}

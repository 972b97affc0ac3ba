import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api';
import { Realtime, useLinkState } from '../realtime';
import { AppContext } from '../realtime-context';
import { useSignOut } from '../session';
import { NoteText } from '../conversation/Notes';
import type { Note, Presence, Session } from '../types';
import { Dialog, ErrorNote, shortTime, typingInField } from '../ui';
import { LanguageSwitch } from './LanguageSwitch';

const PRESENCES: Presence[] = ['online', 'away', 'offline'];

/** The signed-in frame: navigation by role, presence, language, sign-out, the live link, help. */
export function Shell({ session }: { session: Session }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const realtime = useMemo(() => new Realtime(queries), [queries]);
  const link = useLinkState(realtime);
  const [help, setHelp] = useState(false);
  const { user } = session;

  useEffect(() => {
    realtime.start();
    return () => realtime.stop();
  }, [realtime]);

  // The phone page exists only while the sandbox runs.
  const sandbox = useQuery({ queryKey: ['phone', 'available'], queryFn: () => api<{ now: string }>('GET', '/phone/clock'), retry: false, staleTime: Infinity });

  const presence = useMutation({
    mutationFn: (value: Presence) => api('PATCH', '/me', { presence: value }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['session'] }),
  });

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === '?') {
        event.preventDefault();
        setHelp(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const context = useMemo(() => ({ realtime, session, showHelp: () => setHelp(true) }), [realtime, session]);

  return (
    <AppContext.Provider value={context}>
      <div className="shell">
        <header className="topbar">
          <a className="brand" href="/inbox" onClick={(e) => (e.preventDefault(), navigate('/inbox'))}>
            Conversa
          </a>
          <nav aria-label={t('nav.main')}>
            <NavLink to="/inbox">{t('nav.inbox')}</NavLink>
            {user.role !== 'agent' ? <NavLink to="/supervisor">{t('nav.supervisor')}</NavLink> : null}
            {user.role === 'admin' ? <NavLink to="/admin">{t('nav.admin')}</NavLink> : null}
            {sandbox.isSuccess ? <NavLink to="/phone">{t('nav.phone')}</NavLink> : null}
          </nav>
          <div className="topbar-end">
            <span className={`link-state link-${link}`} role="status" aria-label={t(`link.${link}`)} title={t(`link.${link}`)} />
            <label className={`presence presence-${user.presence}`}>
              <span className="visually-hidden">{t('nav.presence')}</span>
              <select aria-label={t('nav.presence')} value={user.presence} onChange={(e) => presence.mutate(e.target.value as Presence)}>
                {PRESENCES.map((value) => (
                  <option key={value} value={value}>
                    {t(`presence.${value}`)}
                  </option>
                ))}
              </select>
            </label>
            <LanguageSwitch />
            <Mentions />
            <button type="button" className="icon" aria-label={t('nav.help')} title={t('nav.help')} onClick={() => setHelp(true)}>
              ?
            </button>
            <span className="who" title={user.email}>
              {user.name}
            </span>
            <button type="button" onClick={() => void signOut().then(() => navigate('/login'))}>
              {t('nav.signOut')}
            </button>
          </div>
        </header>
        {presence.error ? <ErrorNote error={presence.error} /> : null}
        <Outlet />
        <Dialog open={help} onClose={() => setHelp(false)} title={t('help.title')}>
          <HelpTable />
        </Dialog>
      </div>
    </AppContext.Provider>
  );
}

/** The keyboard shortcuts (also in docs/inbox.md). */
export const SHORTCUTS = [
  ['j', 'help.next'],
  ['k', 'help.previous'],
  ['/', 'help.search'],
  ['r', 'help.reply'],
  ['n', 'help.note'],
  ['t', 'help.take'],
  ['e', 'help.resolve'],
  ['Esc', 'help.back'],
  ['?', 'help.help'],
] as const;

function HelpTable() {
  const { t } = useTranslation();
  return (
    <table className="shortcuts">
      <tbody>
        {SHORTCUTS.map(([key, label]) => (
          <tr key={key}>
            <td>
              <kbd>{key}</kbd>
            </td>
            <td>{t(label)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Notes that mention me: a count in the top bar, the list in a dialog (each opens its conversation). */
function Mentions() {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  // Live: note.created events refresh it (realtime.ts); every 60 s for notes in conversations I do not follow.
  const mentions = useQuery({ queryKey: ['mentions'], queryFn: () => api<{ data: Array<{ note: Note & { conversation_id: string }; read_at: string | null }> }>('GET', '/mentions?limit=50'), refetchInterval: 60_000 });
  const markRead = useMutation({
    mutationFn: (noteIds?: string[]) => api('POST', '/mentions/read', noteIds ? { note_ids: noteIds } : {}),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['mentions'] }),
  });
  const items = mentions.data?.data ?? [];
  const unread = items.filter((item) => !item.read_at).length;
  return (
    <>
      <button type="button" className={`mentions-button ${unread ? 'has-unread' : ''}`} aria-label={t('mentions.button', { count: unread })} onClick={() => setOpen(true)}>
        @{unread ? <span className="count">{unread}</span> : null}
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t('mentions.title')}>
        {mentions.error ? <ErrorNote error={mentions.error} /> : null}
        <ol className="mention-list" aria-label={t('mentions.title')}>
          {items.map(({ note, read_at }) => (
            <li key={note.id} className={read_at ? 'read' : 'unread'}>
              <button
                type="button"
                onClick={() => {
                  setOpen(false);
                  if (!read_at) markRead.mutate([note.id]);
                  navigate(`/inbox/${note.conversation_id}?view=all`);
                }}
              >
                <span className="muted">
                  {note.author?.name ?? '—'} · <time dateTime={note.created_at}>{shortTime(note.created_at, i18n.language)}</time>
                </span>
                <span className="mention-text">
                  <NoteText note={note} />
                </span>
              </button>
            </li>
          ))}
        </ol>
        {mentions.isSuccess && items.length === 0 ? <p className="empty">{t('mentions.empty')}</p> : null}
        {unread > 0 ? (
          <button type="button" onClick={() => markRead.mutate(undefined)}>
            {t('mentions.markAll')}
          </button>
        ) : null}
      </Dialog>
    </>
  );
}

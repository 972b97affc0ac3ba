import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../api';
import { ConversationView } from '../conversation/ConversationView';
import { useApp } from '../realtime-context';
import { VIEWS, type Agent, type Conversation, type Counts, type Page, type View } from '../types';
import { ErrorNote, shortTime, typingInField } from '../ui';

/**
 * The inbox: the views (mine, queue, teams, bot, resolved, all) with their counts, a search, the
 * list, and the open conversation beside it (on a phone-sized screen, one or the other).
 * Shortcuts: j/k next/previous, / search, Esc back to the list.
 */
export function Inbox() {
  const { t, i18n } = useTranslation();
  const { session } = useApp();
  const { conversationId } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const defaultView: View = session.user.role === 'agent' ? 'mine' : 'all';
  const view = (VIEWS as readonly string[]).includes(params.get('view') ?? '') ? (params.get('view') as View) : defaultView;
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q, setQ] = useState(search);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // The server searches from 2 characters on.
    const timer = setTimeout(() => setQ(search.trim().length >= 2 ? search.trim() : ''), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const counts = useQuery({ queryKey: ['counts'], queryFn: () => api<Counts>('GET', '/conversations/counts') });
  const list = useQuery({
    queryKey: ['conversations', view, q],
    queryFn: () => api<Page<Conversation>>('GET', `/conversations?view=${view}&limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`),
  });
  const items = list.data?.data ?? [];
  const suffix = params.toString() ? `?${params.toString()}` : '';

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && conversationId && !document.querySelector('dialog[open]')) {
        navigate(`/inbox${suffix}`);
        return;
      }
      if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === '/') {
        event.preventDefault();
        searchRef.current?.focus();
      } else if (event.key === 'j' || event.key === 'k') {
        if (items.length === 0) return;
        const at = items.findIndex((item) => item.id === conversationId);
        const next = event.key === 'j' ? Math.min(items.length - 1, at + 1) : Math.max(0, at < 0 ? 0 : at - 1);
        const target = items[next];
        if (target) navigate(`/inbox/${target.id}${suffix}`);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, conversationId, navigate, suffix]);

  const chooseView = (next: View) => {
    const updated = new URLSearchParams(params);
    updated.set('view', next);
    setParams(updated);
  };

  return (
    <main className={`inbox ${conversationId ? 'has-open' : ''}`}>
      <section className="inbox-list" aria-label={t('inbox.title')}>
        <div role="tablist" aria-label={t('inbox.views')} className="views">
          {VIEWS.map((name) => (
            <button key={name} type="button" role="tab" aria-selected={view === name} className={view === name ? 'active' : ''} onClick={() => chooseView(name)}>
              {t(`views.${name}`)}
              <span className="count" aria-label={t('inbox.countLabel', { count: counts.data?.[name] ?? 0 })}>
                {counts.data?.[name] ?? '·'}
              </span>
            </button>
          ))}
        </div>
        <div className="search">
          <input ref={searchRef} type="search" aria-label={t('inbox.search')} placeholder={t('inbox.searchPlaceholder')} value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        {list.error ? <ErrorNote error={list.error} /> : null}
        <ul className="conversation-list" aria-label={t(`views.${view}`)}>
          {items.map((conversation) => (
            <li key={conversation.id} className={conversation.id === conversationId ? 'current' : ''}>
              <Link to={`/inbox/${conversation.id}${suffix}`} aria-current={conversation.id === conversationId ? 'page' : undefined} data-conversation-id={conversation.id}>
                <span className="avatar" aria-hidden="true">
                  {(conversation.contact.name ?? conversation.contact.wa_id).slice(0, 1).toUpperCase()}
                </span>
                <span className="row-main">
                  <span className="row-top">
                    <span className="name">{conversation.contact.name ?? `+${conversation.contact.wa_id}`}</span>
                    <time dateTime={conversation.last_message_at ?? conversation.created_at}>{shortTime(conversation.last_message_at ?? conversation.created_at, i18n.language)}</time>
                  </span>
                  <span className="row-bottom">
                    <span className="preview">{previewOf(conversation, t)}</span>
                    <OwnerBadge conversation={conversation} />
                    {(conversation.labels ?? []).map((label) => (
                      <span key={label} className="label-chip small">
                        {label}
                      </span>
                    ))}
                    {conversation.unread_count ? (
                      <span className="unread" aria-label={t('inbox.unread', { count: conversation.unread_count })}>
                        {conversation.unread_count}
                      </span>
                    ) : null}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
        {list.isSuccess && items.length === 0 ? <p className="empty">{q ? t('inbox.noMatch') : t('inbox.empty')}</p> : null}
      </section>
      <section className="inbox-conversation" aria-label={t('conversation.title')}>
        {conversationId ? (
          <ConversationView key={conversationId} conversationId={conversationId} backTo={`/inbox${suffix}`} />
        ) : (
          <p className="empty placeholder">{t('inbox.pick')}</p>
        )}
      </section>
    </main>
  );
}

function previewOf(conversation: Conversation, t: (key: string) => string): string {
  const last = conversation.last_message;
  if (!last) return '';
  const text = last.preview ?? t(`types.${last.type}`);
  return last.direction === 'out' ? `↪ ${text}` : text;
}

/** Who has it: the bot, a queue, an agent (by name, from the workspace's agents every screen shares). */
export function OwnerBadge({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const { owner } = conversation;
  const agents = useQuery({ queryKey: ['agents'], queryFn: () => api<{ data: Agent[] }>('GET', '/agents'), enabled: owner.type === 'agent', staleTime: 60_000 });
  if (conversation.resolved_at && owner.type === 'bot') return <span className="badge resolved">{t('owner.resolved')}</span>;
  if (owner.type === 'bot') return <span className="badge bot">{t('owner.bot')}</span>;
  if (owner.type === 'queue') return <span className="badge queue">{t('owner.queue', { queue: owner.id })}</span>;
  const name = owner.name ?? agents.data?.data.find((agent) => agent.id === owner.id)?.name;
  return <span className="badge agent">{name ?? t('owner.agent')}</span>;
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { OwnerBadge } from '../pages/Inbox';
import { useTyping } from '../realtime';
import { useApp } from '../realtime-context';
import type { Conversation, Message, Page, Template } from '../types';
import { ErrorNote, typingInField } from '../ui';
import { Actions } from './Actions';
import { Composer } from './Composer';
import { ContactPanel } from './ContactPanel';
import { bodyOf, quotedWamid, str } from './content';
import { MessageBubble } from './MessageBubble';
import { Notes } from './Notes';

/**
 * One conversation: who has it and the actions, the messages (the bot's part and the handoff
 * summary included), the composer, the notes and the contact panel. Opening it marks the
 * customer's messages read (blue ticks on their phone).
 */
export function ConversationView({ conversationId, backTo }: { conversationId: string; backTo: string }) {
  const { t } = useTranslation();
  const { realtime } = useApp();
  const queries = useQueryClient();
  const [tab, setTab] = useState<'messages' | 'notes'>('messages');
  const [panel, setPanel] = useState(false);
  const typing = useTyping(realtime, conversationId);
  const listRef = useRef<HTMLOListElement>(null);

  const conversation = useQuery({ queryKey: ['conversation', conversationId], queryFn: () => api<Conversation>('GET', `/conversations/${conversationId}`) });
  const messages = useQuery({
    queryKey: ['messages', conversationId],
    queryFn: () => api<Page<Message>>('GET', `/conversations/${conversationId}/messages?limit=100`),
    enabled: conversation.isSuccess,
  });
  const templates = useQuery({
    queryKey: ['templates', conversationId],
    queryFn: () => api<{ data: Template[] }>('GET', `/conversations/${conversationId}/templates`),
    enabled: conversation.isSuccess,
    staleTime: 60_000,
  });

  // Oldest first on screen; reactions go onto the message they react to.
  const ordered = useMemo(() => [...(messages.data?.data ?? [])].reverse(), [messages.data]);
  const byWamid = useMemo(() => new Map(ordered.filter((m) => m.wamid).map((m) => [m.wamid as string, m])), [ordered]);
  const reactions = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const message of ordered) {
      if (message.type !== 'reaction') continue;
      const target = message.reacts_to ?? byWamid.get(str(bodyOf(message).message_id) ?? '')?.id;
      const emoji = str(bodyOf(message).emoji);
      if (target && emoji) map.set(target, [...(map.get(target) ?? []).filter((e) => e !== emoji), emoji]);
    }
    for (const message of ordered) for (const reaction of message.reactions ?? []) if (reaction.emoji) map.set(message.id, [...new Set([...(map.get(message.id) ?? []), reaction.emoji])]);
    return map;
  }, [ordered, byWamid]);
  const shown = ordered.filter((message) => message.type !== 'reaction');

  // Mark read when opened and when a new customer message arrives while open.
  const lastInbound = [...ordered].reverse().find((m) => m.direction === 'in');
  const lastInboundId = lastInbound?.id;
  const lastReadByBusiness = (lastInbound as { read_by_business_at?: string | null } | undefined)?.read_by_business_at;
  useEffect(() => {
    if (!lastInboundId || lastReadByBusiness) return;
    api('POST', `/conversations/${conversationId}/read`)
      .then(() => {
        void queries.invalidateQueries({ queryKey: ['conversations'] });
        void queries.invalidateQueries({ queryKey: ['counts'] });
      })
      .catch(() => undefined);
  }, [conversationId, lastInboundId, lastReadByBusiness, queries]);

  // Keep the newest message in view.
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [shown.length, tab]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'r') {
        event.preventDefault();
        setTab('messages');
        setTimeout(() => document.getElementById('composer-input')?.focus(), 0);
      } else if (event.key === 'n') {
        event.preventDefault();
        setTab('notes');
        setTimeout(() => document.getElementById('note-input')?.focus(), 0);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const labels = useMutation({
    mutationFn: (next: string[]) => api('PUT', `/conversations/${conversationId}/labels`, { labels: next }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['conversation', conversationId] }),
  });

  if (conversation.error) {
    return (
      <div className="conversation">
        <Link className="back" to={backTo}>
          ← {t('conversation.back')}
        </Link>
        <ErrorNote error={conversation.error} />
      </div>
    );
  }
  if (!conversation.data) return <p className="loading" role="status">{t('common.loading')}</p>;
  const current = conversation.data;
  const handoff = current.handoff;

  return (
    <div className={`conversation ${panel ? 'with-panel' : ''}`}>
      <header className="conversation-header">
        <Link className="back" to={backTo} aria-label={t('conversation.back')}>
          ←
        </Link>
        <div className="who">
          <h2>{current.contact.name ?? `+${current.contact.wa_id}`}</h2>
          <span className="muted">+{current.contact.wa_id}</span> <OwnerBadge conversation={current} />
          {typing ? <span className="typing" role="status">{t('conversation.typing', { who: typing })}</span> : null}
        </div>
        <button type="button" aria-pressed={panel} aria-label={t('panel.toggle')} onClick={() => setPanel((open) => !open)}>
          {t('panel.contact')}
        </button>
      </header>
      <Actions conversation={current} />
      <LabelsEditor labels={current.labels ?? []} onSave={(next) => labels.mutate(next)} />
      {labels.error ? <ErrorNote error={labels.error} /> : null}
      <div className="tabs" role="tablist" aria-label={t('conversation.tabs')}>
        <button type="button" role="tab" aria-selected={tab === 'messages'} onClick={() => setTab('messages')}>
          {t('conversation.messages')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'notes'} onClick={() => setTab('notes')}>
          {t('conversation.notes')}
        </button>
      </div>
      <div className="conversation-body">
        {tab === 'messages' ? (
          <div className="messages-pane">
            {handoff ? (
              <aside className="handoff" aria-label={t('conversation.handoff')}>
                <strong>{t('conversation.handoffBy', { who: handoff.actor.type === 'bot' || handoff.actor.type === 'flow' ? t('message.bot') : handoff.actor.type })}</strong>
                {handoff.reason ? <span> — {handoff.reason}</span> : null}
                {handoff.summary && Object.keys(handoff.summary).length > 0 ? (
                  <dl>
                    {Object.entries(handoff.summary).map(([key, value]) => (
                      <div key={key}>
                        <dt>{key}</dt>
                        <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
              </aside>
            ) : null}
            {current.bot && (current.bot.session || current.bot.log.length > 0) ? (
              <details className="bot-part">
                <summary>
                  {t('bot.title')}
                  {current.bot.session ? ` · ${current.bot.session.flow} v${current.bot.session.version}` : ''}
                  {current.bot.session?.waiting ? ` · ${t('bot.waiting', { step: current.bot.session.waiting })}` : ''}
                </summary>
                {current.bot.session ? (
                  <dl className="key-values" aria-label={t('bot.variables')}>
                    {Object.entries(current.bot.session.vars).map(([key, value]) => (
                      <div key={key}>
                        <dt>{key}</dt>
                        <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
                <ol className="bot-log" aria-label={t('bot.log')}>
                  {current.bot.log.map((line, index) => (
                    <li key={index} className={`log-${line.level}`}>
                      <code>{line.step ?? '—'}</code> {line.message}
                    </li>
                  ))}
                </ol>
              </details>
            ) : null}
            {messages.error ? <ErrorNote error={messages.error} /> : null}
            <ol className="messages" ref={listRef} aria-label={t('conversation.messages')} aria-live="polite">
              {shown.map((message) => (
                <MessageBubble
                  key={message.id}
                  message={message}
                  quoted={byWamid.get(quotedWamid(message) ?? '')}
                  templates={templates.data?.data}
                  reactions={reactions.get(message.id)}
                />
              ))}
            </ol>
            <Composer conversation={current} templates={templates} />
          </div>
        ) : (
          <Notes conversationId={conversationId} />
        )}
        {panel ? <ContactPanel conversation={current} /> : null}
      </div>
    </div>
  );
}

function LabelsEditor({ labels, onSave }: { labels: string[]; onSave: (labels: string[]) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  return (
    <div className="labels" aria-label={t('labels.title')}>
      {labels.map((label) => (
        <span key={label} className="label-chip">
          {label}
          <button type="button" className="icon" aria-label={t('labels.remove', { label })} onClick={() => onSave(labels.filter((l) => l !== label))}>
            ×
          </button>
        </span>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const value = draft.trim();
          if (value && !labels.includes(value)) onSave([...labels, value]);
          setDraft('');
        }}
      >
        <input aria-label={t('labels.add')} placeholder={t('labels.add')} value={draft} onChange={(e) => setDraft(e.target.value)} size={10} />
      </form>
    </div>
  );
}


import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import type { Agent, Note } from '../types';
import { ErrorNote, shortTime } from '../ui';

/** Internal notes (never sent to the customer), with @mentions of colleagues. */
export function Notes({ conversationId }: { conversationId: string }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const [text, setText] = useState('');
  const notes = useQuery({ queryKey: ['notes', conversationId], queryFn: () => api<{ data: Note[] }>('GET', `/conversations/${conversationId}/notes`) });
  const agents = useQuery({ queryKey: ['agents'], queryFn: () => api<{ data: Agent[] }>('GET', '/agents') });
  const add = useMutation({
    mutationFn: (body: string) => api('POST', `/conversations/${conversationId}/notes`, { text: body }),
    onSuccess: () => {
      setText('');
      void queries.invalidateQueries({ queryKey: ['notes', conversationId] });
    },
  });
  const mention = /@([\p{L}\p{N}._-]*)$/u.exec(text);
  const candidates = mention ? (agents.data?.data ?? []).filter((agent) => agent.name.toLowerCase().replace(/\s+/g, '').includes((mention[1] ?? '').toLowerCase())).slice(0, 6) : [];

  return (
    <div className="notes">
      {notes.error ? <ErrorNote error={notes.error} /> : null}
      <ol className="note-list" aria-label={t('conversation.notes')}>
        {(notes.data?.data ?? []).map((note) => (
          <li key={note.id} className="note">
            <span className="muted">
              {note.author?.name ?? '—'} · <time dateTime={note.created_at}>{shortTime(note.created_at, i18n.language)}</time>
            </span>
            <p>
              <NoteText note={note} />
            </p>
          </li>
        ))}
      </ol>
      {notes.isSuccess && notes.data.data.length === 0 ? <p className="empty">{t('notes.empty')}</p> : null}
      <form
        className="note-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim()) add.mutate(text.trim());
        }}
      >
        {candidates.length > 0 ? (
          <ul className="mentions" aria-label={t('notes.mention')}>
            {candidates.map((agent) => (
              <li key={agent.id}>
                <button type="button" onClick={() => setText(text.replace(/@[\p{L}\p{N}._-]*$/u, `@[${agent.name.replace(/[[\]()]/g, '')}](${agent.id}) `))}>
                  @{agent.name}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <textarea id="note-input" aria-label={t('notes.input')} placeholder={t('notes.placeholder')} value={text} onChange={(e) => setText(e.target.value)} rows={2} />
        <ErrorNote error={add.error} />
        <button type="submit" className="primary" disabled={!text.trim() || add.isPending}>
          {t('notes.add')}
        </button>
      </form>
    </div>
  );
}

/**
 * A note's text as text, its mentions marked: `@[Ana Lima](usr_…)` (what the picker writes) shows
 * as "@Ana Lima"; `@ana.lima` (an e-mail's local part) is marked when the note resolved someone.
 */
export function NoteText({ note }: { note: Pick<Note, 'text' | 'mentions'> }) {
  const ids = new Set(note.mentions.map((m) => m.id));
  const parts = note.text.split(/(@\[[^\]\n]{1,100}\]\(usr_[A-Za-z0-9_-]+\)|@[\p{L}\p{N}._-]+)/u);
  return (
    <>
      {parts.map((part, index) => {
        const byId = /^@\[([^\]]+)\]\((usr_[A-Za-z0-9_-]+)\)$/.exec(part);
        if (byId) {
          const person = note.mentions.find((m) => m.id === byId[2]);
          return ids.has(byId[2] as string) ? (
            <mark key={index} className="mention">
              @{person?.name ?? byId[1]}
            </mark>
          ) : (
            <Fragment key={index}>@{byId[1]}</Fragment>
          );
        }
        return part.startsWith('@') && note.mentions.length > 0 ? (
          <mark key={index} className="mention">
            {part}
          </mark>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        );
      })}
    </>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import type { Conversation } from '../types';
import { ErrorNote, shortTime } from '../ui';

/** GET /app/api/contacts/:id/panel. */
interface Panel {
  contact: { id: string; name: string | null; wa_id: string; attributes: Record<string, string>; tags: string[] };
  consent: Array<{ id: number; purpose: string; status: string; source: string; recorded_at: string }>;
  conversations: Array<{ id: string; owner: { type: string; id: string | null }; last_activity_at: string; labels: string[] }>;
  bot: { flow: string; vars: Record<string, unknown> } | null;
  form_submissions: Array<{ id: string; form: string; fields: Record<string, unknown>; submitted_at: string }>;
}

/** The contact: attributes (editable), tags, consent history, past conversations, the bot's variables, forms. */
export function ContactPanel({ conversation }: { conversation: Conversation }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const contactId = conversation.contact.id;
  const panel = useQuery({ queryKey: ['panel', contactId], queryFn: () => api<Panel>('GET', `/contacts/${contactId}/panel?conversation_id=${conversation.id}`) });
  const [editing, setEditing] = useState<Record<string, string> | null>(null);
  const [newKey, setNewKey] = useState('');
  const save = useMutation({
    mutationFn: (attributes: Record<string, string>) => api('PATCH', `/contacts/${contactId}`, { attributes }),
    onSuccess: () => {
      setEditing(null);
      void queries.invalidateQueries({ queryKey: ['panel', contactId] });
    },
  });
  const data = panel.data;
  const attributes = data?.contact.attributes ?? {};
  const tags = data?.contact.tags ?? [];
  const consent = data?.consent ?? [];
  const past = (data?.conversations ?? []).filter((item) => item.id !== conversation.id);
  const variables = data?.bot?.vars ?? conversation.bot?.session?.vars ?? {};
  const forms = data?.form_submissions ?? [];

  return (
    <aside className="contact-panel" aria-label={t('panel.contact')}>
      <h3>{conversation.contact.name ?? `+${conversation.contact.wa_id}`}</h3>
      {panel.error ? <ErrorNote error={panel.error} /> : null}
      <section>
        <h4>{t('panel.attributes')}</h4>
        {editing ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              save.mutate(editing);
            }}
          >
            {Object.entries(editing).map(([key, value]) => (
              <label key={key}>
                {key}
                <input value={value} onChange={(e) => setEditing({ ...editing, [key]: e.target.value })} />
              </label>
            ))}
            <label>
              {t('panel.newAttribute')}
              <input value={newKey} onChange={(e) => setNewKey(e.target.value)} />
            </label>
            <button type="button" onClick={() => newKey.trim() && (setEditing({ ...editing, [newKey.trim()]: '' }), setNewKey(''))}>
              {t('panel.addAttribute')}
            </button>
            <ErrorNote error={save.error} />
            <button type="submit" className="primary">
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              {t('common.cancel')}
            </button>
          </form>
        ) : (
          <>
            <KeyValues values={attributes} />
            <button type="button" onClick={() => setEditing(Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])))}>
              {t('panel.edit')}
            </button>
          </>
        )}
      </section>
      <section>
        <h4>{t('panel.tags')}</h4>
        {tags.length ? tags.map((tag) => <span key={tag} className="label-chip">{tag}</span>) : <p className="muted">—</p>}
      </section>
      <section>
        <h4>{t('panel.consent')}</h4>
        <ul>
          {consent.map((entry) => (
            <li key={entry.id}>
              {entry.purpose} <strong>{entry.status}</strong> <small className="muted">{shortTime(entry.recorded_at, i18n.language)} · {entry.source}</small>
            </li>
          ))}
        </ul>
        {consent.length === 0 ? <p className="muted">—</p> : null}
      </section>
      <section>
        <h4>{t('panel.past')}</h4>
        <ul>
          {past.map((entry) => (
            <li key={entry.id}>
              <Link to={`/inbox/${entry.id}`}>{shortTime(entry.last_activity_at, i18n.language)}</Link> <small className="muted">{entry.owner.type} {entry.labels.join(', ')}</small>
            </li>
          ))}
        </ul>
        {past.length === 0 ? <p className="muted">—</p> : null}
      </section>
      <section>
        <h4>{t('panel.variables')}</h4>
        <KeyValues values={variables} />
      </section>
      <section>
        <h4>{t('panel.forms')}</h4>
        {forms.map((entry) => (
          <details key={entry.id}>
            <summary>
              {entry.form || t('panel.form')} <small className="muted">{shortTime(entry.submitted_at, i18n.language)}</small>
            </summary>
            <KeyValues values={entry.fields} />
          </details>
        ))}
        {forms.length === 0 ? <p className="muted">—</p> : null}
      </section>
    </aside>
  );
}

function KeyValues({ values }: { values: Record<string, unknown> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <p className="muted">—</p>;
  return (
    <dl className="key-values">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import type { Conversation } from '../types';
import { ErrorNote, shortTime } from '../ui';
import { rec, str } from './content';

interface Panel {
  contact?: { id: string; name?: string | null; wa_id?: string; attributes?: Record<string, unknown>; tags?: string[] };
  attributes?: Record<string, unknown>;
  tags?: string[];
  consent?: unknown[];
  consent_history?: unknown[];
  conversations?: unknown[];
  past_conversations?: unknown[];
  bot_variables?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  forms?: unknown[];
  form_submissions?: unknown[];
}

/** The contact: attributes (editable), tags, consent history, past conversations, the bot's variables, forms. */
export function ContactPanel({ conversation }: { conversation: Conversation }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const contactId = conversation.contact.id;
  const panel = useQuery({ queryKey: ['panel', contactId], queryFn: () => api<Panel>('GET', `/contacts/${contactId}/panel`) });
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
  const attributes = data?.attributes ?? data?.contact?.attributes ?? {};
  const tags = data?.tags ?? data?.contact?.tags ?? [];
  const consent = data?.consent_history ?? data?.consent ?? [];
  const past = data?.past_conversations ?? data?.conversations ?? [];
  const variables = data?.bot_variables ?? data?.variables ?? {};
  const forms = data?.form_submissions ?? data?.forms ?? [];

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
          {consent.map(rec).map((entry, index) => (
            <li key={index}>
              {str(entry.purpose) ?? ''} <strong>{str(entry.status) ?? str(entry.action) ?? str(entry.state)}</strong> <small className="muted">{shortTime(str(entry.at) ?? str(entry.created_at), i18n.language)} {str(entry.source) ?? ''}</small>
            </li>
          ))}
        </ul>
        {consent.length === 0 ? <p className="muted">—</p> : null}
      </section>
      <section>
        <h4>{t('panel.past')}</h4>
        <ul>
          {past.map(rec).map((entry) => (
            <li key={str(entry.id)}>
              <Link to={`/inbox/${str(entry.id)}`}>{shortTime(str(entry.last_message_at) ?? str(entry.created_at), i18n.language) || str(entry.id)}</Link> <small className="muted">{str(rec(entry.owner).type) ?? ''}</small>
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
        {forms.map(rec).map((entry, index) => (
          <details key={str(entry.id) ?? index}>
            <summary>
              {str(entry.form_name) ?? str(entry.name) ?? str(entry.form_id) ?? t('panel.form')} <small className="muted">{shortTime(str(entry.created_at) ?? str(entry.submitted_at), i18n.language)}</small>
            </summary>
            <KeyValues values={rec(entry.answers ?? entry.data ?? entry.values)} />
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

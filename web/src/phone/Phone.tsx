import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Formatted } from '../Formatted';
import { rec, str, type Json } from '../conversation/content';
import { ErrorNote } from '../ui';
import '../styles/phone.css';

interface SimPhone {
  wa_id: string;
  name: string;
  business_typing?: unknown;
}
interface Received {
  id: string;
  type: string;
  content: unknown;
  context?: { message_id?: string };
  timestamp: string;
  status: string;
  error?: { code: number; title: string; details: string };
}
interface Sent {
  id: string;
  type: string;
  timestamp: string;
  read_by_business: boolean;
  content?: unknown;
}
/** GET /app/api/phone/phones/:wa_id: the phone, what it received from the business, what it sent. */
interface Thread {
  phone: SimPhone;
  received: Received[];
  sent: Sent[];
}

type Bubble = { key: string; id: string; mine: boolean; type: string; content: Json; at: number; status: string; error?: Received['error'] };

const PHONE_KEY = 'conversa.phone';

/**
 * The simulated customer's phone (sandbox only): pick or create a number, then chat as WhatsApp
 * does: bubbles, tappable reply buttons and lists, text, a photo, a location, ticks, and the
 * sandbox clock. Talks to the sandbox through /app/api/phone (the platform's proxy).
 */
export function Phone() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [waId, setWaId] = useState(() => localStorage.getItem(PHONE_KEY) ?? '');
  const phones = useQuery({ queryKey: ['phone', 'phones'], queryFn: () => api<{ data: SimPhone[] }>('GET', '/phone/phones') });
  const current = phones.data?.data.find((phone) => phone.wa_id === waId);

  useEffect(() => {
    if (waId) localStorage.setItem(PHONE_KEY, waId);
  }, [waId]);

  const [draft, setDraft] = useState({ wa_id: '55119' + String(Math.floor(10000000 + Math.random() * 89999999)), name: '' });
  const create = useMutation({
    mutationFn: () => api<SimPhone>('POST', '/phone/phones', { wa_id: draft.wa_id.replace(/\D/g, ''), name: draft.name || draft.wa_id }),
    onSuccess: (phone) => {
      setWaId(phone.wa_id);
      void queries.invalidateQueries({ queryKey: ['phone', 'phones'] });
    },
  });

  return (
    <main className="page phone-page">
      <div className="phone-setup">
        <h1>{t('phone.title')}</h1>
        <p className="muted">{t('phone.hint')}</p>
        {phones.error ? <ErrorNote error={phones.error} /> : null}
        <label>
          {t('phone.customer')}
          <select aria-label={t('phone.customer')} value={current ? waId : ''} onChange={(e) => setWaId(e.target.value)}>
            <option value="">{t('phone.pick')}</option>
            {(phones.data?.data ?? []).map((phone) => (
              <option key={phone.wa_id} value={phone.wa_id}>
                {phone.name} (+{phone.wa_id})
              </option>
            ))}
          </select>
        </label>
        <form
          className="inline-form"
          aria-label={t('phone.new')}
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <label>
            {t('phone.number')}
            <input aria-label={t('phone.number')} value={draft.wa_id} onChange={(e) => setDraft({ ...draft, wa_id: e.target.value })} inputMode="numeric" pattern="\+?\d{7,15}" required />
          </label>
          <label>
            {t('phone.name')}
            <input aria-label={t('phone.name')} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required />
          </label>
          <ErrorNote error={create.error} />
          <button type="submit">{t('phone.create')}</button>
        </form>
        <Clock />
      </div>
      {current ? <Chat phone={current} businessName={t('phone.businessName')} /> : <p className="empty">{t('phone.none')}</p>}
    </main>
  );
}

function Clock() {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const clock = useQuery({ queryKey: ['phone', 'clock'], queryFn: () => api<{ now: string; offset_seconds: number }>('GET', '/phone/clock'), refetchInterval: 10_000 });
  const advance = useMutation({
    mutationFn: (seconds: number) => api('POST', '/phone/clock', { advance_seconds: seconds }),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['phone', 'clock'] });
      void queries.invalidateQueries({ queryKey: ['conversations'] });
      void queries.invalidateQueries({ queryKey: ['conversation'] });
    },
  });
  return (
    <section className="sandbox-clock" aria-label={t('phone.clock')}>
      <h2>{t('phone.clock')}</h2>
      <p>
        {clock.data ? new Date(clock.data.now).toLocaleString(i18n.language) : '—'}
        {clock.data && clock.data.offset_seconds ? <small className="muted"> ({t('phone.offset', { hours: (clock.data.offset_seconds / 3600).toFixed(1) })})</small> : null}
      </p>
      <button type="button" onClick={() => advance.mutate(3600)}>
        {t('phone.advance1h')}
      </button>
      <button type="button" onClick={() => advance.mutate(25 * 3600)}>
        {t('phone.advance25h')}
      </button>
      <ErrorNote error={advance.error ?? clock.error} />
    </section>
  );
}

function bubblesOf(thread: Thread | undefined): Bubble[] {
  if (!thread) return [];
  const sent = thread.sent.map((m, index): Bubble => ({ key: `s${index}:${m.id}`, id: m.id, mine: true, type: m.type, content: rec(m.content), at: Number(m.timestamp), status: m.read_by_business ? 'read' : 'delivered' }));
  const received = thread.received.map(
    (m, index): Bubble => ({ key: `r${index}:${m.id}`, id: m.id, mine: false, type: m.type, content: rec(m.content), at: Number(m.timestamp), status: m.status, ...(m.error ? { error: m.error } : {}) }),
  );
  // Merge by time; at the same second the customer's message came first (the business answers it).
  const out: Bubble[] = [];
  let i = 0;
  let j = 0;
  while (i < sent.length || j < received.length) {
    const a = sent[i];
    const b = received[j];
    if (a && (!b || a.at <= b.at)) {
      out.push(a);
      i += 1;
    } else if (b) {
      out.push(b);
      j += 1;
    }
  }
  return out;
}

function Chat({ phone, businessName }: { phone: SimPhone; businessName: string }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const [text, setText] = useState('');
  const [location, setLocation] = useState(false);
  const [list, setList] = useState<Json | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  // The sandbox has no push to the browser: the phone asks every 0.7 s, as a phone would be told.
  const thread = useQuery({
    queryKey: ['phone', 'messages', phone.wa_id],
    queryFn: () => api<Thread>('GET', `/phone/phones/${phone.wa_id}`),
    refetchInterval: 700,
  });
  const send = useMutation({
    mutationFn: (message: Json) => api('POST', `/phone/phones/${phone.wa_id}/messages`, message),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['phone', 'messages', phone.wa_id] }),
  });
  const bubbles = bubblesOf(thread.data);

  useEffect(() => {
    const element = listRef.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [bubbles.length]);

  const tap = (reply: { id: string; title: string; description?: string }, kind: 'button_reply' | 'list_reply', contextId?: string) =>
    send.mutate({ type: 'interactive', interactive: { type: kind, [kind]: reply }, ...(contextId ? { context: { id: contextId } } : {}) });

  const photo = async (file: File | undefined) => {
    if (!file) return;
    const data = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    send.mutate({ type: 'image', image: { data_base64: data, mime_type: file.type || 'image/jpeg', ...(text.trim() ? { caption: text.trim() } : {}) } }, { onSuccess: () => setText('') });
    if (fileRef.current) fileRef.current.value = '';
  };

  const typing = Boolean(thread.data?.phone.business_typing);

  return (
    <section className="phone" aria-label={t('phone.screen')}>
      <header className="phone-header">
        <span className="avatar" aria-hidden="true">
          {businessName.slice(0, 1)}
        </span>
        <div>
          <strong>{businessName}</strong>
          <small>{typing ? t('phone.typing') : t('phone.online')}</small>
        </div>
        <span className="phone-me muted">
          {phone.name} · +{phone.wa_id}
        </span>
      </header>
      <ol className="phone-messages" ref={listRef} aria-label={t('phone.messages')} aria-live="polite">
        {bubbles.map((bubble) => (
          <li key={bubble.key} className={`pbubble ${bubble.mine ? 'mine' : 'theirs'}`} data-status={bubble.status} data-type={bubble.type}>
            <PhoneBody bubble={bubble} onTap={(reply, kind) => tap(reply, kind, bubble.id)} onList={setList} />
            <span className="pmeta">
              <time>{new Date(bubble.at * 1000).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' })}</time>
              {bubble.mine ? <PhoneTicks status={bubble.status} /> : null}
            </span>
            {bubble.error ? <p className="failure">{bubble.error.title}</p> : null}
          </li>
        ))}
      </ol>
      {list ? (
        <div className="list-sheet" role="dialog" aria-label={str(rec(list.action).button) ?? t('phone.options')}>
          <header>
            <strong>{str(rec(list.action).button) ?? t('phone.options')}</strong>
            <button type="button" className="icon" aria-label={t('common.close')} onClick={() => setList(null)}>
              ×
            </button>
          </header>
          {(Array.isArray(rec(list.action).sections) ? (rec(list.action).sections as unknown[]) : []).map(rec).map((section, index) => (
            <div key={index}>
              {str(section.title) ? <p className="section-title">{str(section.title)}</p> : null}
              <ul>
                {(Array.isArray(section.rows) ? (section.rows as unknown[]) : []).map(rec).map((row) => (
                  <li key={str(row.id)}>
                    <button
                      type="button"
                      onClick={() => {
                        tap({ id: str(row.id) ?? '', title: str(row.title) ?? '', ...(str(row.description) ? { description: str(row.description) as string } : {}) }, 'list_reply');
                        setList(null);
                      }}
                    >
                      {str(row.title)}
                      {str(row.description) ? <small className="muted"> {str(row.description)}</small> : null}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      ) : null}
      {location ? (
        <LocationForm
          onSend={(value) => {
            send.mutate({ type: 'location', location: value });
            setLocation(false);
          }}
          onCancel={() => setLocation(false)}
        />
      ) : null}
      <ErrorNote error={send.error ?? thread.error} />
      <form
        className="phone-composer"
        aria-label={t('phone.composer')}
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim()) send.mutate({ type: 'text', text: { body: text } }, { onSuccess: () => setText('') });
        }}
      >
        <button type="button" className="icon" aria-label={t('phone.sendLocation')} onClick={() => setLocation(true)}>
          📍
        </button>
        <label className="icon attach">
          <span aria-hidden="true">📷</span>
          <span className="visually-hidden">{t('phone.sendPhoto')}</span>
          <input ref={fileRef} type="file" accept="image/jpeg,image/png" aria-label={t('phone.sendPhoto')} onChange={(e) => void photo(e.target.files?.[0])} />
        </label>
        <input aria-label={t('phone.input')} placeholder={t('phone.placeholder')} value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="send" aria-label={t('phone.send')} disabled={!text.trim() || send.isPending}>
          ➤
        </button>
      </form>
    </section>
  );
}

function PhoneTicks({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`ticks ticks-${status}`} role="img" aria-label={t(`status.${status}`)} data-ticks={status}>
      ✓✓
    </span>
  );
}

function PhoneBody({ bubble, onTap, onList }: { bubble: Bubble; onTap: (reply: { id: string; title: string }, kind: 'button_reply') => void; onList: (list: Json) => void }) {
  const { t } = useTranslation();
  const c = bubble.content;
  switch (bubble.type) {
    case 'text':
      return (
        <p className="text">
          <Formatted text={str(c.body) ?? ''} />
        </p>
      );
    case 'interactive': {
      if (bubble.mine) return <p className="text">{str(rec(c.button_reply).title) ?? str(rec(c.list_reply).title) ?? t('types.interactive')}</p>;
      const action = rec(c.action);
      const buttons = Array.isArray(action.buttons) ? (action.buttons as unknown[]).map((b) => rec(rec(b).reply)) : [];
      return (
        <div>
          {str(rec(c.header).text) ? <p className="header">{str(rec(c.header).text)}</p> : null}
          <p className="text">
            <Formatted text={str(rec(c.body).text) ?? ''} />
          </p>
          {str(rec(c.footer).text) ? <p className="footer">{str(rec(c.footer).text)}</p> : null}
          {buttons.length > 0 ? (
            <div className="pbuttons">
              {buttons.map((reply) => (
                <button key={str(reply.id)} type="button" onClick={() => onTap({ id: str(reply.id) ?? '', title: str(reply.title) ?? '' }, 'button_reply')}>
                  {str(reply.title)}
                </button>
              ))}
            </div>
          ) : null}
          {Array.isArray(action.sections) ? (
            <div className="pbuttons">
              <button type="button" onClick={() => onList(c)}>
                ☰ {str(action.button) ?? t('phone.options')}
              </button>
            </div>
          ) : null}
        </div>
      );
    }
    case 'template': {
      const components = Array.isArray(c.components) ? (c.components as unknown[]).map(rec) : [];
      const params = components.flatMap((component) => (Array.isArray(component.parameters) ? (component.parameters as unknown[]).map((p) => str(rec(p).text)).filter(Boolean) : []));
      return (
        <p className="text">
          <strong>{str(c.name)}</strong>
          {params.length ? `: ${params.join(' · ')}` : ''}
        </p>
      );
    }
    case 'image':
    case 'sticker':
      return <p className="text">📷 {str(c.caption) ?? t(`types.${bubble.type}`)}</p>;
    case 'location':
      return <p className="text">📍 {str(c.name) ?? `${String(c.latitude)}, ${String(c.longitude)}`}</p>;
    case 'reaction':
      return <p className="text">{str(c.emoji)}</p>;
    default:
      return <p className="text muted">{t(`types.${bubble.type}`, { defaultValue: bubble.type })}</p>;
  }
}

function LocationForm({ onSend, onCancel }: { onSend: (value: { latitude: number; longitude: number; name?: string }) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState({ latitude: '-23.5614', longitude: '-46.6559', name: 'Av. Paulista' });
  return (
    <form
      className="location-form"
      aria-label={t('phone.sendLocation')}
      onSubmit={(event) => {
        event.preventDefault();
        onSend({ latitude: Number(value.latitude), longitude: Number(value.longitude), ...(value.name ? { name: value.name } : {}) });
      }}
    >
      <label>
        {t('phone.latitude')}
        <input value={value.latitude} onChange={(e) => setValue({ ...value, latitude: e.target.value })} required />
      </label>
      <label>
        {t('phone.longitude')}
        <input value={value.longitude} onChange={(e) => setValue({ ...value, longitude: e.target.value })} required />
      </label>
      <label>
        {t('phone.placeName')}
        <input value={value.name} onChange={(e) => setValue({ ...value, name: e.target.value })} />
      </label>
      <button type="submit" className="primary">
        {t('phone.send')}
      </button>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </form>
  );
}

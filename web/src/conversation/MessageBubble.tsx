import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Formatted } from '../Formatted';
import { safeHref } from '../format';
import type { Message, Template } from '../types';
import { shortTime } from '../ui';
import { bodyOf, mediaIdOf, previewText, rec, str, type Json } from './content';

/**
 * One message as WhatsApp shows it: text with its formatting, media players, documents,
 * stickers, location (a link, no map tiles), contact cards, interactive messages and the
 * customer's choices, templates as the customer saw them, the quoted message, reactions,
 * ticks, and failures in plain words with Meta's reason.
 */
export function MessageBubble({ message, quoted, templates, reactions }: { message: Message; quoted?: Message | undefined; templates?: Template[] | undefined; reactions?: string[] | undefined }) {
  const { t, i18n } = useTranslation();
  const out = message.direction === 'out';
  const sender = out ? senderLabel(message, t) : undefined;
  return (
    <li className={`message ${out ? 'out' : 'in'} type-${message.type} ${message.status === 'failed' ? 'failed' : ''}`} data-message-id={message.id} data-status={message.status}>
      <div className="bubble">
        {sender ? <span className="sender">{sender}</span> : null}
        {message.forwarded ? <span className="forwarded">{t('message.forwarded')}</span> : null}
        {quoted ? (
          <blockquote className="quote" aria-label={t('message.quoting')}>
            <span className="quote-who">{quoted.direction === 'in' ? t('message.customer') : t('message.business')}</span>
            <span>{previewText(quoted) ?? t(`types.${quoted.type}`, { defaultValue: quoted.type })}</span>
          </blockquote>
        ) : null}
        {message.deleted_at && message.content === null ? <em className="muted">{t('message.deleted')}</em> : <Body message={message} templates={templates} />}
        <span className="meta">
          <time dateTime={message.created_at}>{shortTime(message.created_at, i18n.language)}</time>
          {out ? <Ticks status={message.status} /> : null}
        </span>
        {message.status === 'failed' ? <Failure message={message} /> : null}
      </div>
      {reactions && reactions.length > 0 ? (
        <span className="reactions" aria-label={t('message.reactions', { list: reactions.join(' ') })}>
          {reactions.join(' ')}
        </span>
      ) : null}
    </li>
  );
}

/** "Bot", the agent's name, "API", "Automatic" (keyword confirmations): who queued an outbound message. */
function senderLabel(message: Message, t: (key: string) => string): string | undefined {
  const by = message.sent_by;
  if (!by) return undefined;
  if (by.type === 'agent') return by.name ?? t('message.agent');
  return t(`message.${by.type}`);
}

/** Sent ✓, delivered ✓✓, read ✓✓ (blue); waiting 🕓; failed ⚠. */
export function Ticks({ status }: { status: string }) {
  const { t } = useTranslation();
  const label = t(`status.${status}`, { defaultValue: status });
  const glyph = status === 'read' || status === 'played' || status === 'delivered' ? '✓✓' : status === 'sent' ? '✓' : status === 'failed' ? '⚠' : '🕓';
  return (
    <span className={`ticks ticks-${status}`} role="img" aria-label={label} title={label} data-ticks={status}>
      {glyph}
    </span>
  );
}

/** Why Meta refused, in plain words, then Meta's own reason. */
function Failure({ message }: { message: Message }) {
  const { t } = useTranslation();
  const code = message.error?.code;
  const known = code !== undefined ? t(`failure.${code}`, { defaultValue: '' }) : '';
  const reason = [message.error?.title, message.error?.details].filter(Boolean).join(': ');
  return (
    <p className="failure" role="note">
      <strong>{known || t('failure.generic')}</strong>
      {reason ? <span className="reason"> {t('failure.metaSaid', { reason, code })}</span> : null}
    </p>
  );
}

function Body({ message, templates }: { message: Message; templates?: Template[] | undefined }) {
  const { t } = useTranslation();
  const body = bodyOf(message);
  const caption = str(body.caption);
  const mediaId = mediaIdOf(message);
  const src = mediaId ? `/app/api/media/${encodeURIComponent(mediaId)}/content` : undefined;
  const link = safeHref(str(body.link) ?? '');
  const mediaSrc = src ?? undefined;
  switch (message.type) {
    case 'text':
      return (
        <p className="text">
          <Formatted text={str(body.body) ?? ''} />
        </p>
      );
    case 'image':
      return (
        <figure className="media">
          {mediaSrc ? <MediaImage src={mediaSrc} alt={caption ?? t('types.image')} /> : <MediaLink link={link} label={t('types.image')} />}
          {caption ? (
            <figcaption>
              <Formatted text={caption} />
            </figcaption>
          ) : null}
        </figure>
      );
    case 'sticker':
      return mediaSrc ? <MediaImage className="sticker" src={mediaSrc} alt={t('types.sticker')} /> : <MediaLink link={link} label={t('types.sticker')} />;
    case 'video':
      return (
        <figure className="media">
          {mediaSrc ? <video src={mediaSrc} controls preload="metadata" aria-label={caption ?? t('types.video')} /> : <MediaLink link={link} label={t('types.video')} />}
          {caption ? (
            <figcaption>
              <Formatted text={caption} />
            </figcaption>
          ) : null}
        </figure>
      );
    case 'audio':
      return mediaSrc ? <audio src={mediaSrc} controls preload="metadata" aria-label={body.voice ? t('message.voice') : t('types.audio')} /> : <MediaLink link={link} label={t('types.audio')} />;
    case 'document': {
      const name = str(body.filename) ?? t('types.document');
      return (
        <div className="document">
          <span aria-hidden="true">📄 </span>
          {mediaSrc ? (
            <a href={mediaSrc} download={name}>
              {name}
            </a>
          ) : (
            <MediaLink link={link} label={name} />
          )}
          {caption ? (
            <p>
              <Formatted text={caption} />
            </p>
          ) : null}
        </div>
      );
    }
    case 'location': {
      const lat = Number(body.latitude);
      const lon = Number(body.longitude);
      const href = Number.isFinite(lat) && Number.isFinite(lon) ? `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}` : undefined;
      return (
        <div className="location">
          <span aria-hidden="true">📍 </span>
          {href ? (
            <a href={href} target="_blank" rel="noopener noreferrer">
              {str(body.name) ?? `${lat.toFixed(5)}, ${lon.toFixed(5)}`}
            </a>
          ) : (
            t('types.location')
          )}
          {str(body.address) ? <p className="muted">{str(body.address)}</p> : null}
        </div>
      );
    }
    case 'contacts':
      return <Contacts list={Array.isArray(body.contacts) ? (body.contacts as unknown[]) : []} />;
    case 'interactive':
      return <Interactive body={body} />;
    case 'button':
      return (
        <p className="choice">
          <span aria-hidden="true">↩ </span>
          {str(body.text) ?? str(body.payload)}
        </p>
      );
    case 'reaction':
      return (
        <p className="muted">
          {t('message.reacted', { emoji: str(body.emoji) || '∅' })}
        </p>
      );
    case 'template':
      return <TemplateBody body={body} templates={templates} />;
    case 'order': {
      const items = Array.isArray(body.product_items) ? body.product_items.length : 0;
      return <p className="muted">🛒 {t('message.order', { count: items })}</p>;
    }
    default:
      return <p className="muted">{t(`types.${message.type}`, { defaultValue: t('message.unsupported', { type: message.type }) })}</p>;
  }
}

/** An image of the media library: a customer's file is still downloading when its message arrives (409), so retry a few times. */
function MediaImage({ src, alt, className }: { src: string; alt: string; className?: string }) {
  const [attempt, setAttempt] = useState(0);
  return (
    <img
      key={attempt}
      className={className}
      src={attempt === 0 ? src : `${src}?attempt=${attempt}`}
      alt={alt}
      onError={() => attempt < 8 && setTimeout(() => setAttempt((n) => n + 1), 500 * (attempt + 1))}
    />
  );
}

function MediaLink({ link, label }: { link: string | undefined; label: string }) {
  return link ? (
    <a href={link} target="_blank" rel="noopener noreferrer">
      {label}
    </a>
  ) : (
    <span className="muted">{label}</span>
  );
}

function Contacts({ list }: { list: unknown[] }) {
  const { t } = useTranslation();
  return (
    <ul className="contact-cards">
      {list.map((item, index) => {
        const card = rec(item);
        const name = str(rec(card.name).formatted_name) ?? t('types.contacts');
        const phones = Array.isArray(card.phones) ? (card.phones as unknown[]).map((p) => str(rec(p).phone) ?? str(rec(p).wa_id)).filter(Boolean) : [];
        return (
          <li key={index} className="contact-card">
            <span aria-hidden="true">👤 </span>
            <strong>{name}</strong>
            {phones.map((phone) => (
              <span key={phone} className="phone">
                {phone}
              </span>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

/** Outbound: header, body, footer, buttons or list; inbound: the customer's choice. */
function Interactive({ body }: { body: Json }) {
  const { t } = useTranslation();
  const choice = rec(body.button_reply).title ?? rec(body.list_reply).title;
  if (typeof choice === 'string') {
    return (
      <p className="choice">
        <span aria-hidden="true">↩ </span>
        {choice}
        {str(rec(body.list_reply).description) ? <small className="muted"> — {str(rec(body.list_reply).description)}</small> : null}
      </p>
    );
  }
  if (body.type === 'nfm_reply') return <p className="choice">↩ {t('message.formAnswered')}</p>;
  const header = rec(body.header);
  const action = rec(body.action);
  const buttons = Array.isArray(action.buttons) ? (action.buttons as unknown[]).map((b) => str(rec(rec(b).reply).title)).filter((x): x is string => Boolean(x)) : [];
  const sections = Array.isArray(action.sections) ? (action.sections as unknown[]).map(rec) : [];
  const cta = rec(action.parameters);
  return (
    <div className="interactive">
      {str(header.text) ? <p className="header">{str(header.text)}</p> : null}
      <p className="text">
        <Formatted text={str(rec(body.body).text) ?? ''} />
      </p>
      {str(rec(body.footer).text) ? <p className="footer">{str(rec(body.footer).text)}</p> : null}
      {buttons.length > 0 ? (
        <ul className="reply-buttons" aria-label={t('message.buttons')}>
          {buttons.map((title) => (
            <li key={title}>{title}</li>
          ))}
        </ul>
      ) : null}
      {sections.length > 0 ? (
        <details className="list-options">
          <summary>☰ {str(action.button) ?? t('message.list')}</summary>
          {sections.map((section, index) => (
            <div key={index}>
              {str(section.title) ? <p className="section-title">{str(section.title)}</p> : null}
              <ul>
                {(Array.isArray(section.rows) ? (section.rows as unknown[]) : []).map(rec).map((row) => (
                  <li key={str(row.id)}>
                    {str(row.title)}
                    {str(row.description) ? <small className="muted"> — {str(row.description)}</small> : null}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </details>
      ) : null}
      {str(cta.display_text) ? <p className="reply-buttons cta">🔗 {str(cta.display_text)}</p> : null}
    </div>
  );
}

/** A template as the customer saw it: its text with the parameters filled in. */
export function TemplateBody({ body, templates }: { body: Json; templates?: Template[] | undefined }) {
  const { t } = useTranslation();
  const name = str(body.name) ?? '';
  const language = str(rec(body.language).code) ?? '';
  const components = Array.isArray(body.components) ? (body.components as unknown[]).map(rec) : [];
  const paramsOf = (type: string) =>
    (Array.isArray(components.find((c) => str(c.type)?.toLowerCase() === type)?.parameters) ? (components.find((c) => str(c.type)?.toLowerCase() === type)?.parameters as unknown[]) : []).map((p) => {
      const param = rec(p);
      return str(param.text) ?? str(rec(param.currency).fallback_value) ?? str(rec(param.date_time).fallback_value) ?? str(param.payload) ?? '';
    });
  const template = templates?.find((candidate) => candidate.name === name && (!language || candidate.language === language));
  const part = (type: string) => template?.components?.find((c) => c.type.toUpperCase() === type.toUpperCase());
  const header = part('HEADER');
  const text = part('BODY')?.text;
  const footer = part('FOOTER')?.text;
  const buttons = part('BUTTONS')?.buttons ?? [];
  return (
    <div className="template" aria-label={t('message.template', { name })}>
      <span className="template-name">{t('message.template', { name })}</span>
      {header?.text ? <p className="header">{fill(header.text, paramsOf('header'))}</p> : null}
      {text ? (
        <p className="text">
          <Formatted text={fill(text, paramsOf('body'))} />
        </p>
      ) : (
        <p className="text">{paramsOf('body').join(' · ')}</p>
      )}
      {footer ? <p className="footer">{footer}</p> : null}
      {buttons.length > 0 ? (
        <ul className="reply-buttons">
          {buttons.map((button) => (
            <li key={button.text}>{button.text}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Puts the parameters into {{1}} or {{name}} placeholders, in order. */
export function fill(text: string, params: string[]): string {
  let index = 0;
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) => {
    const byNumber = /^\d+$/.test(key) ? params[Number(key) - 1] : params[index];
    index += 1;
    return byNumber !== undefined && byNumber !== '' ? byNumber : whole;
  });
}

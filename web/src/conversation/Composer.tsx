import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Formatted } from '../Formatted';
import { useApp } from '../realtime-context';
import type { CannedReply, Conversation, Template } from '../types';
import { ErrorNote, money } from '../ui';
import { fill } from './MessageBubble';

const EMOJIS = ['😀', '😊', '🙂', '😉', '😍', '🙏', '👍', '👋', '🎉', '✅', '❤️', '😢', '😅', '🤔', '📦', '🚚'];

/**
 * What the rules allow: inside the customer service window, text with emoji, attachments and
 * canned replies (type "/"); outside it, only a template with its parameters, a live preview and
 * its cost. Every refusal of the send policy is shown as the server words it.
 */
export function Composer({ conversation, templates }: { conversation: Conversation; templates: UseQueryResult<{ data: Template[] }> }) {
  const free = conversation.composer ? conversation.composer.mode === 'free' : conversation.window_open;
  return free ? <FreeComposer conversation={conversation} /> : <TemplateComposer conversation={conversation} templates={templates} />;
}

function useSend(conversationId: string) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) => api('POST', `/conversations/${conversationId}/messages`, body),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['messages', conversationId] });
      void queries.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
}

function FreeComposer({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const { realtime } = useApp();
  const [text, setText] = useState('');
  const [emoji, setEmoji] = useState(false);
  const [cannedIndex, setCannedIndex] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const lastTypingCall = useRef(0);
  const send = useSend(conversation.id);
  const canned = useQuery({ queryKey: ['canned'], queryFn: () => api<{ data: CannedReply[] }>('GET', '/canned-replies'), staleTime: 60_000, retry: false });
  const cannedQuery = text.startsWith('/') && !text.includes('\n') ? text.slice(1).toLowerCase() : undefined;
  // Typing "/" reads the list again: a reply a supervisor just wrote is offered at once.
  const slash = cannedQuery !== undefined;
  const refetchCanned = canned.refetch;
  useEffect(() => {
    if (slash) void refetchCanned();
  }, [slash, refetchCanned]);
  const suggestions = cannedQuery === undefined ? [] : (canned.data?.data ?? []).filter((reply) => `${reply.shortcut.replace(/^\//, '')} ${reply.title}`.toLowerCase().includes(cannedQuery)).slice(0, 8);

  const submit = () => {
    const body = text.trim();
    if (!body) return;
    send.mutate({ type: 'text', text: { body } }, { onSuccess: () => setText('') });
  };

  const chooseCanned = async (reply: CannedReply) => {
    try {
      const rendered = await api<{ text: string }>('POST', `/canned-replies/${reply.id}/render`, { conversation_id: conversation.id });
      setText(rendered.text);
    } catch {
      setText(reply.text);
    }
    input.current?.focus();
  };

  const typed = (value: string) => {
    setText(value);
    realtime.sendTyping(conversation.id);
    // The customer sees "typing…" for 25 s: tell the server at most every 10 s.
    const now = Date.now();
    if (value && now - lastTypingCall.current > 10_000) {
      lastTypingCall.current = now;
      api('POST', `/conversations/${conversation.id}/typing`).catch(() => undefined);
    }
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setCannedIndex((i) => (i + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        const chosen = suggestions[cannedIndex] ?? suggestions[0];
        if (chosen) void chooseCanned(chosen);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
    if (event.key === 'Escape') input.current?.blur();
  };

  // An attachment: uploaded to the media library first, then sent by its id (with the text as caption).
  const [uploadError, setUploadError] = useState<unknown>(null);
  const attach = async (chosen: File | undefined) => {
    if (!chosen) return;
    setUploadError(null);
    const form = new FormData();
    form.append('file', chosen, chosen.name);
    try {
      const media = await api<{ id: string; kind: string; filename: string | null }>('POST', '/media', form);
      const caption = text.trim() && !['audio', 'sticker'].includes(media.kind) ? { caption: text.trim() } : {};
      const named = media.kind === 'document' ? { filename: media.filename ?? chosen.name } : {};
      send.mutate({ type: media.kind, [media.kind]: { id: media.id, ...caption, ...named } }, { onSuccess: () => setText('') });
    } catch (error) {
      setUploadError(error);
    }
    if (file.current) file.current.value = '';
  };

  return (
    <form
      className="composer"
      aria-label={t('composer.title')}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {suggestions.length > 0 ? (
        <ul className="canned" role="listbox" aria-label={t('composer.canned')}>
          {suggestions.map((reply, index) => (
            <li key={reply.id} role="option" aria-selected={index === cannedIndex}>
              <button type="button" onClick={() => void chooseCanned(reply)}>
                <strong>/{reply.shortcut.replace(/^\//, '')}</strong> <span className="muted">{reply.title || reply.text.slice(0, 60)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {emoji ? (
        <div className="emoji-picker" role="group" aria-label={t('composer.emoji')}>
          {EMOJIS.map((symbol) => (
            <button
              key={symbol}
              type="button"
              aria-label={symbol}
              onClick={() => {
                setText((value) => value + symbol);
                input.current?.focus();
              }}
            >
              {symbol}
            </button>
          ))}
        </div>
      ) : null}
      <ErrorNote error={send.error ?? uploadError} />
      <div className="composer-row">
        <button type="button" className="icon" aria-label={t('composer.emoji')} aria-expanded={emoji} onClick={() => setEmoji((open) => !open)}>
          😊
        </button>
        <label className="icon attach">
          <span aria-hidden="true">📎</span>
          <span className="visually-hidden">{t('composer.attach')}</span>
          <input ref={file} type="file" aria-label={t('composer.attach')} onChange={(e) => void attach(e.target.files?.[0])} accept="image/*,video/*,audio/*,application/pdf,.doc,.docx,.xls,.xlsx,.txt" />
        </label>
        <textarea
          id="composer-input"
          ref={input}
          aria-label={t('composer.input')}
          placeholder={t('composer.placeholder')}
          value={text}
          rows={2}
          onChange={(e) => typed(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary" disabled={send.isPending || !text.trim()}>
          {t('composer.send')}
        </button>
      </div>
    </form>
  );
}

/** Placeholders of a template text: {{1}}, {{2}} or named ones, in order of first use. */
function placeholders(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((match) => match[1] as string))];
}

function TemplateComposer({ conversation, templates }: { conversation: Conversation; templates: UseQueryResult<{ data: Template[] }> }) {
  const { t, i18n } = useTranslation();
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const send = useSend(conversation.id);
  const list = templates.data?.data ?? [];
  const template = list.find((item) => `${item.name}:${item.language}` === chosen);
  const part = (type: string) => template?.components?.find((c) => c.type.toUpperCase() === type);
  const bodyText = part('BODY')?.text;
  const headerText = part('HEADER')?.format?.toUpperCase() === 'TEXT' || (part('HEADER') && !part('HEADER')?.format) ? part('HEADER')?.text : undefined;
  const bodyKeys = template?.parameters?.body ?? placeholders(bodyText);
  const headerKeys = template?.parameters ? (template.parameters.header?.type === 'text' ? (template.parameters.header.variables ?? []) : []) : placeholders(headerText);
  const named = template?.parameter_format ? template.parameter_format === 'NAMED' : bodyKeys.some((key) => !/^\d+$/.test(key));
  const valueOf = (scope: string, key: string) => values[`${scope}:${key}`] ?? '';

  const submit = () => {
    if (!template) return;
    const parameters = (scope: string, keys: string[]) => keys.map((key) => ({ type: 'text', text: valueOf(scope, key), ...(named ? { parameter_name: key } : {}) }));
    const components = [
      ...(headerKeys.length ? [{ type: 'header', parameters: parameters('header', headerKeys) }] : []),
      ...(bodyKeys.length ? [{ type: 'body', parameters: parameters('body', bodyKeys) }] : []),
    ];
    send.mutate({ type: 'template', template: { name: template.name, language: { code: template.language }, ...(components.length ? { components } : {}) } }, { onSuccess: () => setValues({}) });
  };

  return (
    <form
      className="composer closed-window"
      aria-label={t('composer.templateTitle')}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <p className="window-closed" role="note">
        {t('composer.windowClosed')}
      </p>
      {templates.error ? <ErrorNote error={templates.error} /> : null}
      <label>
        {t('composer.template')}
        <select aria-label={t('composer.template')} value={chosen} onChange={(e) => (setChosen(e.target.value), setValues({}))}>
          <option value="">{t('composer.pickTemplate')}</option>
          {list.map((item) => (
            <option key={`${item.name}:${item.language}`} value={`${item.name}:${item.language}`}>
              {item.name} ({item.language}, {item.category})
            </option>
          ))}
        </select>
      </label>
      {templates.isSuccess && list.length === 0 ? <p className="muted">{t('composer.noTemplates')}</p> : null}
      {template ? (
        <div className="template-form">
          {[...headerKeys.map((key) => ['header', key] as const), ...bodyKeys.map((key) => ['body', key] as const)].map(([scope, key]) => (
            <label key={`${scope}:${key}`}>
              {t('composer.parameter', { scope: t(`composer.${scope}`), key })}
              <input aria-label={t('composer.parameter', { scope: t(`composer.${scope}`), key })} value={valueOf(scope, key)} onChange={(e) => setValues((v) => ({ ...v, [`${scope}:${key}`]: e.target.value }))} required />
            </label>
          ))}
          <div className="preview" aria-label={t('composer.preview')}>
            <span className="muted">{t('composer.preview')}</span>
            <div className="bubble out">
              {headerText ? <p className="header">{fill(headerText, headerKeys.map((key) => valueOf('header', key)))}</p> : null}
              <p className="text">
                <Formatted text={fill(bodyText ?? '', bodyKeys.map((key) => valueOf('body', key)))} />
              </p>
              {part('FOOTER')?.text ? <p className="footer">{part('FOOTER')?.text}</p> : null}
              {(part('BUTTONS')?.buttons ?? []).length > 0 ? (
                <ul className="reply-buttons">
                  {(part('BUTTONS')?.buttons ?? []).map((button) => (
                    <li key={button.text}>{button.text}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          </div>
          <p className="cost">
            {t('composer.cost')}: <strong>{money(template.cost, i18n.language)}</strong> <span className="muted">({template.category})</span>
          </p>
        </div>
      ) : null}
      <ErrorNote error={send.error} />
      <button type="submit" className="primary" disabled={!template || send.isPending}>
        {t('composer.sendTemplate')}
      </button>
    </form>
  );
}

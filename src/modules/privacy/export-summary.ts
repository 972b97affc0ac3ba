import type { PersonMessage, PersonRecord } from './person-data.js';

/**
 * The Content-Security-Policy of `summary.html`: no script, no fetch, no frame, no form, no
 * remote anything; only its own inline style. A name like `<script>` is escaped anyway: the
 * policy is the second wall.
 */
export const SUMMARY_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text for HTML element content or a quoted attribute: every user value goes through it. */
export function escapeText(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

/**
 * `summary.html`: the person's data for a person to read, streamed (the messages table is
 * written a page at a time). Every value is escaped with {@link escapeText}; the page carries
 * {@link SUMMARY_CSP} in a meta tag.
 */
export async function* summaryHtml(record: PersonRecord, generatedAt: Date, pages: AsyncIterable<PersonMessage[]>, mediaFiles: Map<string, string>): AsyncGenerator<string> {
  const contact = record.contact;
  const title = `Data held about ${contact.name ?? (contact.phone || contact.wa_id)}`;
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeText(SUMMARY_CSP)}">
<meta name="referrer" content="no-referrer">
<title>${escapeText(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}pre{white-space:pre-wrap;margin:0}h2{margin-top:2em}</style>
</head>
<body>
<h1>${escapeText(title)}</h1>
<p>Exported ${escapeText(generatedAt.toISOString())}. person.json holds the same, machine-readable; messages.csv the messages; media/ the files.</p>
`;
  yield section('Contact', keyValues({
    id: contact.id,
    'WhatsApp id': contact.wa_id,
    phone: contact.phone,
    'user id (BSUID)': contact.user_id,
    name: contact.name,
    language: contact.language,
    'time zone': contact.time_zone,
    tags: contact.tags.join(', '),
    created: contact.created_at,
    updated: contact.updated_at,
  }) + (Object.keys(contact.attributes).length ? `<h3>Attributes</h3>${keyValues(contact.attributes)}` : '') +
    (contact.aliases.length ? `<h3>Former numbers</h3>${table(['WhatsApp id', 'since'], contact.aliases.map((alias) => [alias.wa_id, alias.since]))}` : ''));
  yield section('Blocked', record.blocked.length ? table(['business number', 'blocked at', 'by'], record.blocked.map((block) => [block.business_number, block.blocked_at, block.blocked_by])) : '<p>Not blocked by any number.</p>');
  yield section(
    'Consent',
    `<p>Current state: ${Object.entries(record.consent.state).map(([purpose, status]) => `${escapeText(purpose)} <b>${escapeText(status)}</b>`).join(', ')}</p>` +
      table(['recorded at', 'purpose', 'status', 'source', 'text', 'actor', 'proof'], record.consent.history.map((entry) => [entry.recorded_at, entry.purpose, entry.status, entry.source, entry.text, entry.actor, entry.proof])),
  );
  yield section(
    'Conversations',
    table(
      ['id', 'business number', 'started', 'last message', 'owner', 'labels', 'internal notes'],
      record.conversations.map((conversation) => [
        conversation.id,
        conversation.business_number,
        conversation.created_at,
        conversation.last_message_at,
        [conversation.owner_type, conversation.owner_id].filter(Boolean).join(' '),
        (conversation.labels as string[]).join(', '),
        (conversation.notes as Array<{ created_at: string; author_id: string; text: string }>).map((note) => `${note.created_at} ${note.author_id}: ${note.text}`).join('\n'),
      ]),
    ),
  );
  yield section('Form submissions', table(['submitted at', 'flow', 'form', 'fields'], record.form_submissions.map((item) => [item.submitted_at, item.flow, item.form, item.fields])));
  yield section('Survey answers', table(['answered at', 'kind', 'score', 'comment'], record.survey_responses.map((item) => [item.answered_at, item.kind, item.score, item.comment])));
  yield section('Leads', table(['created', 'source', 'fields'], record.leads.map((item) => [item.created_at, `${String(item.source_type)} ${String(item.source_id)}`, item.fields])));
  yield section('Campaigns', table(['campaign', 'template', 'state', 'reason', 'queued at'], record.campaign_recipients.map((item) => [item.campaign_name, item.template_name, item.state, item.reason, item.queued_at])));
  yield section('Notifications', table(['created', 'template', 'status', 'send at', 'parameters'], record.notifications.map((item) => [item.created_at, item.template_name, item.status, item.send_at, item.parameters])));
  yield section('Invoices', table(['number', 'issued', 'due', 'customer', 'total (cents)', 'file'], record.invoices.map((item) => [item.number, item.issue_date, item.due_date, item.customer_name, item.total_cents, mediaFiles.get(String(item.media_id)) ?? item.media_id])));
  yield section('Groups', table(['group', 'subject', 'status', 'joined', 'left'], record.group_participations.map((item) => [item.group_id, item.subject, item.status, item.joined_at, item.left_at])));
  yield section(
    'Media files',
    table(
      ['file', 'direction', 'type', 'size', 'original name', 'SHA-256'],
      record.media.map((item) => [item.file ? new Link(item.file) : `(not held: ${item.status})`, item.direction, item.mime_type, item.size, item.filename, item.sha256]),
    ),
  );
  yield `<h2>Messages (${record.message_count})</h2>\n<table>\n<tr>${['at', 'direction', 'type', 'text', 'status', 'cost (micros)', 'files'].map((header) => `<th>${escapeText(header)}</th>`).join('')}</tr>\n`;
  for await (const page of pages) {
    yield page
      .map((message) =>
        row([message.created_at, message.direction === 'in' ? 'received' : 'sent', message.type, message.deleted_at ? '(erased)' : message.text, message.status, message.cost_micros, message.media_ids.map((id) => (mediaFiles.has(id) ? new Link(mediaFiles.get(id) as string) : id))]),
      )
      .join('');
  }
  yield '</table>\n</body>\n</html>\n';
}

/** A link to a file of the archive (our own names: `media/<id>.<ext>`), escaped all the same. */
class Link {
  constructor(readonly path: string) {}
}

type Cell = unknown;

function section(heading: string, body: string): string {
  return `<h2>${escapeText(heading)}</h2>\n${body}\n`;
}

function keyValues(values: Record<string, unknown>): string {
  return `<table>${Object.entries(values).map(([key, value]) => `<tr><th>${escapeText(key)}</th><td>${cell(value)}</td></tr>`).join('')}</table>`;
}

function table(headers: string[], rows: Cell[][]): string {
  if (rows.length === 0) return '<p>None.</p>';
  return `<table>\n<tr>${headers.map((header) => `<th>${escapeText(header)}</th>`).join('')}</tr>\n${rows.map(row).join('')}</table>`;
}

function row(cells: Cell[]): string {
  return `<tr>${cells.map((value) => `<td>${cell(value)}</td>`).join('')}</tr>\n`;
}

function cell(value: Cell): string {
  if (value instanceof Link) return `<a href="${escapeText(value.path)}">${escapeText(value.path)}</a>`;
  if (Array.isArray(value) && value.some((item) => item instanceof Link)) return value.map(cell).join(' ');
  if (value !== null && typeof value === 'object') return `<pre>${escapeText(JSON.stringify(value, null, 2))}</pre>`;
  const text = escapeText(value);
  return text.includes('\n') ? `<pre>${text}</pre>` : text;
}

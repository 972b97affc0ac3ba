import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { apiClientFor, type ApiClient } from './api-client.js';

const HELP = `Usage: conversa campaign <create|estimate|launch|status> [options]

Talks to a running Conversa over its REST API (scopes campaigns:read, campaigns:write).

  create   --name N --template NAME --language pt_BR
           audience: --csv FILE [--default-country BR]   (a phone column + one column per {{variable}})
                 or: [--tag T]... [--attribute key=value]... [--consent marketing|utility]
           parameters: [--body-param TEXT]...  ({{column}} fills it per recipient)  or  --components JSON
           [--from PHONE_NUMBER_ID] [--start-at ISO-8601] [--failure-threshold 0.2]
  estimate ID      who will receive it, who will not and why, the cost by category and country
  launch   ID [--start-at ISO-8601]
  status   ID [--watch] [--interval MS]   totals with a progress bar; --watch redraws until it ends

Options for every command:
  --url URL        default $CONVERSA_URL, else http://$HOST:$PORT as the server uses them (127.0.0.1:3000)
  --api-key KEY    default $CONVERSA_API_KEY, else $CONVERSA_ADMIN_KEY
  --json           print the API's JSON answer instead of text`;

export interface CampaignCommandIo {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stdout is a terminal: the progress bar redraws in place. */
  tty: boolean;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers are read field by field

/** `conversa campaign ...`. Answers the exit code: 0 ok, 1 the API refused, 2 bad usage. */
export async function runCampaign(argv: string[], io: CampaignCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        name: { type: 'string' },
        template: { type: 'string' },
        language: { type: 'string' },
        from: { type: 'string' },
        csv: { type: 'string' },
        'default-country': { type: 'string' },
        tag: { type: 'string', multiple: true },
        attribute: { type: 'string', multiple: true },
        consent: { type: 'string' },
        'body-param': { type: 'string', multiple: true },
        components: { type: 'string' },
        'start-at': { type: 'string' },
        'failure-threshold': { type: 'string' },
        watch: { type: 'boolean' },
        interval: { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, id] = positionals;
  if (values.help || !action) {
    io.out(HELP);
    return values.help ? 0 : 2;
  }
  const client = apiClientFor({ url: values.url, apiKey: values['api-key'] }, io.env);
  if (!client.ok) {
    io.err(client.message);
    return 2;
  }
  const { api } = client;
  const needId = (): string | undefined => {
    if (!id) io.err(`conversa campaign ${action} needs the campaign id.`);
    return id;
  };
  try {
    switch (action) {
      case 'create':
        return await create(api, values, io);
      case 'estimate': {
        const campaignId = needId();
        if (!campaignId) return 2;
        const answer = await api.call('POST', `/campaigns/${campaignId}/estimate`);
        if (!answer.ok) return refused(io, answer.body);
        io.out(values.json ? JSON.stringify(answer.body, null, 2) : describeEstimate(campaignId, answer.body));
        return 0;
      }
      case 'launch': {
        const campaignId = needId();
        if (!campaignId) return 2;
        const answer = await api.call('POST', `/campaigns/${campaignId}/launch`, values['start-at'] ? { start_at: values['start-at'] } : {});
        if (!answer.ok) return refused(io, answer.body);
        io.out(values.json ? JSON.stringify(answer.body, null, 2) : `Campaign ${campaignId} is ${answer.body.status}${answer.body.status === 'scheduled' ? ` (starts ${answer.body.start_at})` : ''}.`);
        return 0;
      }
      case 'status': {
        const campaignId = needId();
        if (!campaignId) return 2;
        return await status(api, campaignId, { watch: values.watch ?? false, intervalMs: Number(values.interval ?? 1000), json: values.json ?? false }, io);
      }
      default:
        io.err(`Unknown campaign command "${action}".\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    io.err(api.unreachable(error));
    return 1;
  }
}

async function create(api: ApiClient, values: Record<string, unknown>, io: CampaignCommandIo): Promise<number> {
  const name = values.name as string | undefined;
  const template = values.template as string | undefined;
  const language = values.language as string | undefined;
  if (!name || !template || !language) {
    io.err('conversa campaign create needs --name, --template and --language.');
    return 2;
  }
  let components: unknown = [];
  if (values.components) {
    try {
      components = JSON.parse(values.components as string);
    } catch {
      io.err('--components must be JSON: the template send components, e.g. [{"type":"body","parameters":[{"type":"text","text":"{{nome}}"}]}]');
      return 2;
    }
  } else if (Array.isArray(values['body-param'])) {
    components = [{ type: 'body', parameters: (values['body-param'] as string[]).map((text) => ({ type: 'text', text })) }];
  }
  const attributes: Record<string, string> = {};
  for (const pair of (values.attribute as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      io.err(`--attribute ${pair}: write it as key=value`);
      return 2;
    }
    attributes[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const csv = values.csv as string | undefined;
  const filter = {
    ...(values.tag ? { tags: values.tag } : {}),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(values.consent ? { consent_purpose: values.consent } : {}),
  };
  const body = {
    name,
    template: { name: template, language },
    components,
    audience: csv ? { type: 'csv', ...(values['default-country'] ? { default_country: values['default-country'] } : {}) } : { type: 'filter', filter },
    ...(values.from ? { from: values.from } : {}),
    ...(values['start-at'] ? { start_at: values['start-at'] } : {}),
    ...(values['failure-threshold'] ? { failure_threshold: Number(values['failure-threshold']) } : {}),
  };
  if (csv) {
    try {
      await stat(csv);
    } catch {
      io.err(`--csv ${csv}: no such file`);
      return 2;
    }
  }
  const created = await api.call('POST', '/campaigns', body);
  if (!created.ok) return refused(io, created.body);
  let campaign = created.body;
  if (csv) {
    const stream = Readable.toWeb(createReadStream(csv)) as unknown as RequestInit['body'];
    const uploaded = await api.call('PUT', `/campaigns/${campaign.id}/audience?file_name=${encodeURIComponent(basename(csv))}`, stream, 'text/csv', { duplex: 'half' } as RequestInit);
    if (!uploaded.ok) {
      io.err(`Campaign ${campaign.id} was created, but its CSV was refused:`);
      return refused(io, uploaded.body);
    }
    campaign = uploaded.body;
  }
  if (values.json) {
    io.out(JSON.stringify(campaign, null, 2));
    return 0;
  }
  const report = campaign.audience_report ?? {};
  const notes = [
    report.duplicates_merged ? `${fmt(report.duplicates_merged)} duplicates merged` : '',
    report.invalid_numbers ? `${fmt(report.invalid_numbers)} invalid numbers` : '',
    report.rejected_count ? `${fmt(report.rejected_count)} rejected rows (GET /api/v1/campaigns/${campaign.id}/rejections)` : '',
  ].filter(Boolean);
  io.out(`${campaign.id}\nCreated campaign "${campaign.name}" (${campaign.status}): ${fmt(campaign.recipients)} recipients${notes.length ? `; ${notes.join(', ')}` : ''}.`);
  return 0;
}

async function status(api: ApiClient, id: string, options: { watch: boolean; intervalMs: number; json: boolean }, io: CampaignCommandIo): Promise<number> {
  let last = '';
  for (;;) {
    const answer = await api.call('GET', `/campaigns/${id}`);
    if (!answer.ok) return refused(io, answer.body);
    const campaign = answer.body;
    if (options.json) {
      io.out(JSON.stringify(campaign, null, 2));
      return 0;
    }
    const line = progressLine(campaign);
    const finished = ['completed', 'cancelled'].includes(campaign.status) && campaign.totals.in_outbox === 0;
    if (!options.watch) {
      io.out(line);
      io.out(describeTotals(campaign));
      return 0;
    }
    if (line !== last) io.out(io.tty ? `\r\x1b[2K${line}` : line);
    last = line;
    if (finished || campaign.status === 'paused' || campaign.status === 'draft') {
      if (io.tty) io.out('\n');
      io.out(describeTotals(campaign));
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(100, options.intervalMs)));
  }
}

/** `name [#########-----------]  45% 4,500/10,026 running · ...` */
export function progressLine(campaign: Json): string {
  const t = campaign.totals;
  const total = Math.max(1, t.recipients);
  const done = t.recipients - t.pending - t.in_outbox;
  const share = done / total;
  const width = 30;
  const filled = Math.round(share * width);
  const state = campaign.status === 'paused' ? `paused (${campaign.pause_reason})` : campaign.status;
  return `${campaign.name} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${fmt(done)}/${fmt(t.recipients)} ${state} · sent ${fmt(t.reached.sent)} · delivered ${fmt(t.reached.delivered)} · read ${fmt(t.read)} · failed ${fmt(t.failed)} · skipped ${fmt(t.skipped)}`;
}

function describeTotals(campaign: Json): string {
  const t = campaign.totals;
  const rows: Array<[string, number]> = [
    ['pending', t.pending],
    ['in outbox', t.in_outbox],
    ['accepted', t.accepted],
    ['sent', t.sent],
    ['delivered', t.delivered],
    ['read', t.read],
    ['failed', t.failed],
    ['skipped', t.skipped],
    ['cancelled', t.cancelled],
    ['replied', t.replied],
    ['opted out after', t.opted_out_after],
  ];
  const lines = rows.map(([label, n]) => `  ${label.padEnd(16)} ${fmt(n).padStart(10)}`);
  for (const [code, n] of Object.entries(t.failed_by_code as Record<string, number>)) lines.push(`    failed ${code.padEnd(9)} ${fmt(n).padStart(10)}`);
  for (const [reason, n] of Object.entries(t.skipped_by_reason as Record<string, number>)) lines.push(`    ${reason.padEnd(20)} ${fmt(n).padStart(6)}`);
  const limit = campaign.messaging_limit;
  if (limit) lines.push(`  messaging limit  ${limit.tier === null ? 'unlimited' : `${fmt(limit.used)} of ${fmt(limit.tier)} used in the last 24 h${limit.next_slot_at ? `; next slot ${limit.next_slot_at}` : ''}`}`);
  lines.push(`  cost delivered   USD ${usd(t.cost.delivered_micros)}`);
  return lines.join('\n');
}

function describeEstimate(id: string, e: Json): string {
  const lines = [`Campaign ${id}: ${fmt(e.recipients)} recipients`, `  will receive     ${fmt(e.will_receive).padStart(10)}`, `  will not receive ${fmt(e.will_not_receive).padStart(10)}`];
  for (const [reason, n] of Object.entries(e.skipped as Record<string, number>)) lines.push(`    ${reason.padEnd(20)} ${fmt(n).padStart(6)}  ${REASON_TEXT[reason] ?? ''}`);
  lines.push(`  cost if all are delivered: USD ${usd(e.cost.total_micros)}`);
  for (const [category, line] of Object.entries(e.cost.by_category as Record<string, Json>)) lines.push(`    ${category.padEnd(16)} ${fmt(line.messages).padStart(8)}  USD ${usd(line.amount_micros)}`);
  for (const [country, line] of Object.entries(e.cost.by_country as Record<string, Json>)) lines.push(`    ${country.padEnd(16)} ${fmt(line.messages).padStart(8)}  USD ${usd(line.amount_micros)}`);
  const limit = e.messaging_limit;
  lines.push(
    limit.tier === null
      ? '  messaging limit: unlimited'
      : `  messaging limit: ${fmt(limit.tier)} per 24 h, ${fmt(limit.available)} available now${e.will_receive > limit.available ? '; the rest goes as the moving window frees slots' : ''}`,
  );
  lines.push(`  at ${e.throughput_mps} msg/s: about ${duration(e.send_seconds)} of sending`);
  return lines.join('\n');
}

const REASON_TEXT: Record<string, string> = {
  invalid_number: 'not a valid phone number',
  no_whatsapp: 'an earlier send failed with 131026 (no WhatsApp)',
  missing_parameter: 'a {{variable}} has no value for them',
  no_opt_in: 'no marketing opt-in recorded',
  opted_out: 'opted out',
  marketing_us_blocked: 'marketing to a US (+1) number',
  template_parameters: 'parameters do not fit the template',
  template_unavailable: 'the template cannot be sent',
  window_closed: 'customer service window closed',
};

function refused(io: CampaignCommandIo, body: Json): number {
  const error = body.error ?? {};
  io.err(`${error.code ?? 'error'}: ${error.message ?? JSON.stringify(body)}${error.details?.fix ? `\n  fix: ${error.details.fix}` : ''}`);
  return 1;
}

function fmt(n: number | undefined): string {
  return (n ?? 0).toLocaleString('en-US');
}

function usd(micros: number): string {
  return (micros / 1_000_000).toFixed(2);
}

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

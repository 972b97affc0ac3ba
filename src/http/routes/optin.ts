import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { OPT_IN_LANGUAGES, optInConsentText, optInGreeting, type OptInLanguage } from '../../modules/consent/index.js';
import { isPhoneCountry, normalizePhone } from '../../modules/contacts/index.js';
import type { PhoneNumberView } from '../../modules/phone-numbers/index.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { FORM_MESSAGES, PAGE_HEADERS, renderNotice, renderOptInForm, renderThankYou, type FormErrors } from '../optin-page.js';
import { QrImageCache } from '../qr-cache.js';
import { TokenBucketLimiter, clientKey } from '../rate-limit.js';

/** Sign-up POSTs per client IP: a burst of 10, then one every 6 seconds (in memory, per process). */
export const OPT_IN_RATE = { capacity: 10, refillPerSecond: 1 / 6 } as const;

/** Every other public request (the page, its link, its QR codes) per client IP: a burst of 30, then one every 2 seconds. */
export const PUBLIC_PAGE_RATE = { capacity: 30, refillPerSecond: 1 / 2 } as const;

/** The largest QR code PNG served, in pixels (a 2048 px render took ~0.7 s of CPU and tens of MB). */
export const MAX_QR_SIZE = 1024;

/** Rendered QR codes kept in memory, by format, size and link (so per number, text and size). */
const QR_CACHE = { maxEntries: 256, maxBytes: 16 * 1024 * 1024 } as const;

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TEXT = 500;

interface PageQuery {
  lang?: string;
  country?: string;
}

type Deps = Pick<HttpDeps, 'phoneNumbers' | 'contacts' | 'consent' | 'database' | 'publicUrl' | 'clock'> & {
  /** Replaces the QR image cache (tests count its renders). */
  qrCache?: QrImageCache;
};

/**
 * The public opt-in page of each phone number (no API key): `GET /optin/{id}` shows a form
 * whose consent text names the business and says messages come on WhatsApp; `POST` records
 * the contact and an opt-in with its proof. `{id}` is Meta's phone_number_id or our id.
 * Also `/optin/{id}/link` (a wa.me link) and `/optin/{id}/qr.svg|qr.png` (its QR code).
 *
 * Every one of these is rate limited per client address (`request.ip`: the socket's address
 * unless CONVERSA_TRUST_PROXY names the proxy in front), before the body is read; QR images are
 * at most MAX_QR_SIZE pixels and cached.
 */
export async function registerOptInRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const signUps = new TokenBucketLimiter(OPT_IN_RATE);
  const views = new TokenBucketLimiter(PUBLIC_PAGE_RATE);
  const qrCache = deps.qrCache ?? new QrImageCache(QR_CACHE);

  // The HTML pages, in a scope with their own body parser and error pages.
  await app.register(async (pages) => {
    pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    });
    pages.setErrorHandler((error: FastifyError, request, reply) => {
      const language = languageOf(request.query as PageQuery, undefined);
      if (error.statusCode && error.statusCode < 500) return sendPage(reply, 400, renderNotice(language, FORM_MESSAGES[language].badRequest));
      request.log.error({ err: error }, 'opt-in page failed');
      return sendPage(reply, 500, renderNotice(language, FORM_MESSAGES[language].failed));
    });
    pages.addHook('onRequest', async (request, reply) => {
      const verdict = (request.method === 'POST' ? signUps : views).take(clientKey(request.ip));
      if (verdict.ok) return;
      const language = languageOf(request.query as PageQuery, undefined);
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return sendPage(reply, 429, renderNotice(language, FORM_MESSAGES[language].tooMany(verdict.retryAfterSeconds)));
    });

    pages.get<{ Params: { id: string }; Querystring: PageQuery }>('/optin/:id', async (request, reply) => {
      const number = await findNumber(deps, request.params.id);
      if (!number) {
        const language = languageOf(request.query, undefined);
        return sendPage(reply, 404, renderNotice(language, FORM_MESSAGES[language].notFound));
      }
      return sendPage(reply, 200, renderOptInForm(formView(number, request)));
    });

    pages.post<{ Params: { id: string }; Querystring: PageQuery }>('/optin/:id', async (request, reply) => {
      const language = languageOf(request.query, undefined);
      const number = await findNumber(deps, request.params.id);
      if (!number) return sendPage(reply, 404, renderNotice(language, FORM_MESSAGES[language].notFound));
      const view = formView(number, request);
      const messages = FORM_MESSAGES[view.language];
      const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      // Control characters (U+0000 cannot even be stored by PostgreSQL) and unpaired surrogates are no part of a name.
      const name = (form.get('name') ?? '')
        .replace(/[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
        .trim()
        .normalize('NFC');
      const phoneText = (form.get('phone') ?? '').trim();

      // The honeypot: people never see this field; bots fill every field. Answer as if it
      // worked, so the bot learns nothing, and record nothing.
      if ((form.get('website') ?? '') !== '') {
        request.log.info({ phoneNumberId: number.phone_number_id }, 'opt-in honeypot filled; nothing recorded');
        return sendPage(reply, 200, renderThankYou({ language: view.language, business: view.business, name, phone: phoneText, waMeUrl: undefined }));
      }

      const errors: FormErrors = {};
      if (name.length > 100) errors.name = messages.nameTooLong;
      const phone = normalizePhone(phoneText, countryOf(number, request.query));
      if (!phone.ok) errors.phone = phoneText === '' ? messages.phoneMissing : messages.phoneInvalid;
      const ticked = form.get('consent') === 'yes';
      if (!ticked) errors.consent = messages.consentMissing;
      else if (form.get('text_version') !== view.textVersion) errors.consent = messages.textChanged;
      if (!phone.ok || Object.keys(errors).length > 0) {
        return sendPage(reply, 400, renderOptInForm({ ...view, values: { name, phone: phoneText, consent: ticked && !errors.consent }, errors }));
      }

      // One reading of the platform's clock: the proof's submitted_at is the entry's recorded_at.
      const submittedAt = deps.clock.now();
      await deps.database.db.transaction().execute(async (trx) => {
        const { contact } = await deps.contacts.upsert(number.workspace_id, { e164: phone.e164, waId: phone.waId, name: name || undefined }, trx);
        await deps.consent.record(
          {
            workspaceId: number.workspace_id,
            contactId: contact.id,
            purpose: 'marketing',
            status: 'opted_in',
            source: 'web_form',
            text: view.consentText,
            actor: 'optin_page',
            at: submittedAt,
            proof: {
              ip: request.ip,
              user_agent: request.headers['user-agent'] ?? null,
              submitted_at: submittedAt.toISOString(),
              page_url: `${deps.publicUrl}${request.url}`,
              referer: request.headers.referer ?? null,
              phone_number_id: number.phone_number_id,
              business_name: view.business,
              language: view.language,
              text_version: view.textVersion,
              form: { name, phone: phoneText, consent: 'yes' },
            },
          },
          trx,
        );
      });
      return sendPage(reply, 200, renderThankYou({ language: view.language, business: view.business, name, phone: phone.e164, waMeUrl: waMeUrl(number, optInGreeting(view.business, view.language)) }));
    });
  });

  // The wa.me link and its QR code: JSON and images, with the API's JSON errors.
  await app.register(async (assets) => {
    assets.addHook('onRequest', async (request, reply) => {
      const verdict = views.take(clientKey(request.ip));
      if (verdict.ok) return;
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return sendError(reply, 'CONVERSA_ERR_RATE_LIMITED', `Too many requests from this address; try again in ${verdict.retryAfterSeconds} seconds.`, { retry_after_seconds: verdict.retryAfterSeconds });
    });
    const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: ID.source } } } as const;
    const querystring = {
      type: 'object',
      properties: {
        text: { type: 'string', minLength: 1, maxLength: MAX_TEXT, description: 'The message the link pre-fills' },
        lang: { type: 'string', enum: OPT_IN_LANGUAGES },
        size: { type: 'integer', minimum: 128, maximum: MAX_QR_SIZE, default: 512, description: `PNG width in pixels, 128 to ${MAX_QR_SIZE}` },
      },
    } as const;
    type Route = { Params: { id: string }; Querystring: { text?: string; lang?: OptInLanguage; size?: number } };
    const resolveLink = async (request: FastifyRequest<Route>, reply: FastifyReply) => {
      const number = await findNumber(deps, request.params.id);
      if (!number) {
        await sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.params.id}.`);
        return undefined;
      }
      const text = request.query.text ?? optInGreeting(businessOf(number), languageOf(request.query, number));
      const url = waMeUrl(number, text);
      if (!url) {
        await sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `Phone number ${request.params.id} has no display number to link to.`);
        return undefined;
      }
      return { number, text, url };
    };

    assets.get<Route>('/optin/:id/link', { schema: { params, querystring } }, async (request, reply) => {
      const link = await resolveLink(request, reply);
      if (!link) return reply;
      const base = `${deps.publicUrl}/optin/${encodeURIComponent(request.params.id)}`;
      const suffix = request.query.text ? `?text=${encodeURIComponent(request.query.text)}` : '';
      return {
        phone_number_id: link.number.phone_number_id,
        business_name: businessOf(link.number),
        text: link.text,
        wa_me_url: link.url,
        qr_svg_url: `${base}/qr.svg${suffix}`,
        qr_png_url: `${base}/qr.png${suffix}`,
        optin_page_url: base,
      };
    });

    assets.get<Route>('/optin/:id/qr.svg', { schema: { params, querystring } }, async (request, reply) => {
      const link = await resolveLink(request, reply);
      if (!link) return reply;
      const svg = await qrCache.get(`svg:${link.url}`, () => QRCode.toString(link.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=300').send(svg);
    });

    assets.get<Route>('/optin/:id/qr.png', { schema: { params, querystring } }, async (request, reply) => {
      const link = await resolveLink(request, reply);
      if (!link) return reply;
      const width = request.query.size ?? 512;
      const png = await qrCache.get(`png:${width}:${link.url}`, () => QRCode.toBuffer(link.url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width }));
      return reply.type('image/png').header('cache-control', 'public, max-age=300').send(png);
    });
  });
}

function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(body);
}

async function findNumber(deps: Deps, id: string): Promise<PhoneNumberView | undefined> {
  return ID.test(id) ? deps.phoneNumbers.findAnywhere(id) : undefined;
}

// The name the person agrees to hear from: the business's verified name on WhatsApp.
function businessOf(number: PhoneNumberView): string {
  return number.verified_name.trim() || number.display_phone_number;
}

// `?lang=` when given; otherwise Portuguese for numbers in Portuguese-speaking countries.
function languageOf(query: { lang?: string } | undefined, number: PhoneNumberView | undefined): OptInLanguage {
  const asked = query?.lang;
  if (asked === 'pt' || asked === 'en') return asked;
  const digits = number?.display_phone_number.replace(/\D/g, '') ?? '';
  return /^(55|351|244|258)/.test(digits) ? 'pt' : 'en';
}

// Numbers typed without a country code are read as from `?country=`, or the business's country.
function countryOf(number: PhoneNumberView, query: PageQuery) {
  // A repeated ?country= arrives as an array: only a single value is honoured.
  const asked = typeof query.country === 'string' ? query.country.toUpperCase() : undefined;
  if (asked && isPhoneCountry(asked)) return asked;
  const own = normalizePhone(`+${number.display_phone_number.replace(/\D/g, '')}`);
  return own.ok && own.country && isPhoneCountry(own.country) ? own.country : undefined;
}

function formView(number: PhoneNumberView, request: FastifyRequest<{ Querystring: PageQuery }>) {
  const language = languageOf(request.query, number);
  const business = businessOf(number);
  const consentText = optInConsentText(business, language);
  return {
    language,
    business,
    consentText,
    textVersion: createHash('sha256').update(consentText).digest('base64url').slice(0, 16),
    action: request.url,
    phoneHint: countryOf(number, request.query) === 'BR' ? '(11) 98888-7777' : '+1 555 123 4567',
  };
}

function waMeUrl(number: PhoneNumberView, text: string): string | undefined {
  const digits = number.display_phone_number.replace(/\D/g, '');
  return digits ? `https://wa.me/${digits}?text=${encodeURIComponent(text)}` : undefined;
}

// Payment links from a per-company URL pattern such as
// `https://pay.example.com/checkout/{order_id}?amount={amount}`: each `{name}` is replaced by
// the URL-encoded value, so a value cannot add a path segment, a query parameter or a
// fragment. The result must be https (http only to localhost, for development), because the
// link goes to a customer who will type card or bank details behind it.

export type PaymentLinkRejectionCode = 'bad_pattern' | 'missing_value' | 'bad_value' | 'not_https';

export type PaymentLinkResult = { ok: true; url: string } | { ok: false; field: string; code: PaymentLinkRejectionCode; rule: string };

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Fills a payment link pattern. Every placeholder must have a non-empty value (extra values
 * are ignored); refusals name the field (`pattern`, or `values.<name>`) and the rule.
 *
 * @example
 * buildPaymentLink('https://pay.example.com/checkout/{order_id}?amount={amount}', { order_id: 'A 12/3', amount: '10.50' })
 * // { ok: true, url: 'https://pay.example.com/checkout/A%2012%2F3?amount=10.50' }
 */
export function buildPaymentLink(pattern: string, values: Record<string, string | number>): PaymentLinkResult {
  const names = paymentLinkPlaceholders(pattern);
  if (!names.ok) return names;

  for (const name of names.placeholders) {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) return refuse(`values.${name}`, 'missing_value', `is required by the link pattern (placeholder {${name}})`);
    if (typeof value === 'number' && !Number.isFinite(value)) return refuse(`values.${name}`, 'bad_value', 'must be a finite number');
    if (String(value).trim() === '') return refuse(`values.${name}`, 'bad_value', 'must not be empty');
  }
  const filled = pattern.replace(PLACEHOLDER, (_match, name: string) => encodeURIComponent(String(values[name])));

  const checked = checkLinkUrl(filled);
  return checked.ok ? { ok: true, url: checked.url } : refuse('pattern', checked.code, checked.rule);
}

/**
 * The placeholders of a link pattern, in order of first use, once it is known to make a
 * valid link: braces only around names, and an https URL (http only for localhost) however
 * it is filled. Use it to validate the pattern when a company configures it.
 *
 * @example paymentLinkPlaceholders('https://pay.example.com/{order_id}') // { ok: true, placeholders: ['order_id'] }
 */
export function paymentLinkPlaceholders(pattern: string): { ok: true; placeholders: string[] } | { ok: false; field: string; code: PaymentLinkRejectionCode; rule: string } {
  const text = pattern.trim();
  if (text === '') return refuse('pattern', 'bad_pattern', 'is required');
  const stray = text.replace(PLACEHOLDER, '').match(/[{}]/);
  if (stray) return refuse('pattern', 'bad_pattern', `has a "${stray[0]}" that is not part of a {name} placeholder (names are letters, digits and _)`);
  const placeholders = [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))];
  // A sample filling shows whether the pattern can make a valid URL at all.
  const sample = checkLinkUrl(text.replace(PLACEHOLDER, 'x'));
  if (!sample.ok) return refuse('pattern', sample.code, sample.rule);
  return { ok: true, placeholders };
}

function checkLinkUrl(text: string): { ok: true; url: string } | { ok: false; code: PaymentLinkRejectionCode; rule: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, code: 'bad_pattern', rule: `does not make a valid absolute URL ("${text}")` };
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    return { ok: false, code: 'not_https', rule: `must be an https URL (http is allowed only for localhost); it makes ${url.protocol}//${url.host}` };
  }
  if (url.username || url.password) return { ok: false, code: 'bad_pattern', rule: 'must not carry a user name or password' };
  return { ok: true, url: url.href };
}

function refuse(field: string, code: PaymentLinkRejectionCode, rule: string): { ok: false; field: string; code: PaymentLinkRejectionCode; rule: string } {
  return { ok: false, field, code, rule };
}

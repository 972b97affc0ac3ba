import { checkBoolean, checkEnum, checkKeys, checkObject, checkString, issue, rec, type Check, type Path } from './validate-checks.js';

/**
 * `context` is a reply (`id`), a forward (`forwarded` / `frequently_forwarded`) or a product
 * inquiry (`referred_product`); an empty context says nothing and is refused.
 */
export function checkContext(value: unknown, context: Record<string, unknown>): Check {
  if (value === undefined || value === null) return undefined;
  const product = rec(context.referred_product);
  const productPath = ['context', 'referred_product'];
  return (
    checkKeys(context, ['id', 'forwarded', 'frequently_forwarded', 'referred_product'], ['context']) ??
    checkString(context.id, ['context', 'id'], { optional: true }) ??
    checkBoolean(context.forwarded, ['context', 'forwarded']) ??
    checkBoolean(context.frequently_forwarded, ['context', 'frequently_forwarded']) ??
    checkObject(context.referred_product, productPath, true) ??
    checkKeys(product, ['catalog_id', 'product_retailer_id'], productPath) ??
    (context.referred_product === undefined
      ? undefined
      : (checkString(product.catalog_id, [...productPath, 'catalog_id']) ?? checkString(product.product_retailer_id, [...productPath, 'product_retailer_id']))) ??
    (Object.keys(context).length === 0
      ? issue('missing', ['context'], 'needs id (a reply), forwarded / frequently_forwarded, or referred_product')
      : undefined)
  );
}

const REFERRAL_KEYS = [
  'source_url',
  'source_id',
  'source_type',
  'body',
  'headline',
  'media_type',
  'image_url',
  'video_url',
  'thumbnail_url',
  'ctwa_clid',
  'welcome_message',
] as const;

/**
 * A Click-to-WhatsApp `referral` as Meta's webhook carries it (ReferralObject in Meta's OpenAPI):
 * `source_url`, `source_id`, `source_type` ad|post, `body`, `headline`, `media_type` image|video
 * and `ctwa_clid` required; `image_url` only for images; `video_url` and `thumbnail_url` only
 * for videos; optional `welcome_message{text}`.
 */
export function checkReferral(value: unknown): Check {
  if (value === undefined || value === null) return undefined;
  const referral = rec(value);
  const path = ['referral'];
  const at = (key: string): Path => [...path, key];
  const found =
    checkObject(value, path) ??
    checkKeys(referral, REFERRAL_KEYS, path) ??
    checkString(referral.source_url, at('source_url')) ??
    checkUrl(referral.source_url, at('source_url')) ??
    checkString(referral.source_id, at('source_id')) ??
    checkEnum(referral.source_type, at('source_type'), ['ad', 'post']) ??
    checkString(referral.body, at('body'), { allowEmpty: true }) ??
    checkString(referral.headline, at('headline'), { allowEmpty: true }) ??
    checkEnum(referral.media_type, at('media_type'), ['image', 'video']) ??
    checkString(referral.ctwa_clid, at('ctwa_clid')) ??
    checkObject(referral.welcome_message, at('welcome_message'), true) ??
    checkKeys(rec(referral.welcome_message), ['text'], at('welcome_message')) ??
    (referral.welcome_message === undefined ? undefined : checkString(rec(referral.welcome_message).text, [...at('welcome_message'), 'text']));
  if (found) return found;
  if (referral.media_type === 'image') {
    return (
      checkString(referral.image_url, at('image_url')) ??
      checkUrl(referral.image_url, at('image_url')) ??
      (referral.video_url !== undefined ? issue('unknown', at('video_url'), 'is only for media_type "video"') : undefined) ??
      (referral.thumbnail_url !== undefined ? issue('unknown', at('thumbnail_url'), 'is only for media_type "video"') : undefined)
    );
  }
  return (
    checkString(referral.video_url, at('video_url')) ??
    checkUrl(referral.video_url, at('video_url')) ??
    checkString(referral.thumbnail_url, at('thumbnail_url')) ??
    checkUrl(referral.thumbnail_url, at('thumbnail_url')) ??
    (referral.image_url !== undefined ? issue('unknown', at('image_url'), 'is only for media_type "image"') : undefined)
  );
}

function checkUrl(value: unknown, path: Path): Check {
  return typeof value === 'string' && /^https?:\/\/[^\s]+$/i.test(value) ? undefined : issue('value', path, 'must be an http(s) URL');
}

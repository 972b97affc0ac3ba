import { randomBytes, randomInt } from 'node:crypto';

/** A Graph object id: a numeric string of 15–16 digits, as Meta's WABA, phone, media and template ids are. */
export function newGraphId(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

/**
 * A template id: Meta's webhooks carry it as a JSON number (`message_template_id`), so it must
 * survive a double: 16 digits starting with 1 (Meta's own look like 1689556908129832), below 2^53.
 */
export function newTemplateId(): string {
  return `1${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

/** A message id in Meta's style: `wamid.` followed by base64 of a random protobuf-like blob. */
export function newWamid(): string {
  return `wamid.${randomBytes(30).toString('base64')}`;
}

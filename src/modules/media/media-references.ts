import { MEDIA_KINDS, type MediaKind } from './media-rules.js';

/** Our media ids look like `med_...`; anything else in `id` is the provider's own id. */
export const OUR_MEDIA_ID = /^med_[A-Za-z0-9_-]+$/;

/** A media object inside a message that names our media, and the kind its place takes. */
export interface MediaReference {
  slot: MediaKind;
  object: { id: string; filename?: unknown };
}

type Json = Record<string, unknown>;

/**
 * The media objects of an outbound message (`{ type, [type]: {...} }`) that name our media by
 * id: the message's own media, a template's header parameters, an interactive message's
 * header. The objects are the message's own, so a caller may rewrite their `id` in place.
 */
export function findMediaReferences(message: Json): MediaReference[] {
  const found: MediaReference[] = [];
  const visit = (slot: string, value: unknown) => {
    if (!isKind(slot) || !isObject(value) || typeof value.id !== 'string' || !OUR_MEDIA_ID.test(value.id)) return;
    found.push({ slot, object: value as MediaReference['object'] });
  };
  const type = message.type;
  if (typeof type !== 'string') return found;
  const body = message[type];
  if (isKind(type)) visit(type, body);
  if (type === 'template' && isObject(body) && Array.isArray(body.components)) {
    for (const component of body.components) {
      if (!isObject(component) || !Array.isArray(component.parameters)) continue;
      for (const parameter of component.parameters) {
        if (isObject(parameter) && typeof parameter.type === 'string') visit(parameter.type, parameter[parameter.type]);
      }
    }
  }
  if (type === 'interactive' && isObject(body) && isObject(body.header) && typeof body.header.type === 'string') {
    visit(body.header.type, body.header[body.header.type]);
  }
  return found;
}

function isKind(value: string): value is MediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(value);
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

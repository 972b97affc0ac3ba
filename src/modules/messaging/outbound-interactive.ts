import {
  arr,
  checkArray,
  checkEach,
  checkEnum,
  checkHttpUrl,
  checkKeys,
  checkMediaRef,
  checkObject,
  checkString,
  checkUnique,
  problem,
  rec,
  type Check,
  type Path,
} from './outbound-checks.js';

/** Interactive message types, and what each allows around its action. */
const KINDS: Record<string, { body: 'required' | 'optional'; header: readonly string[] | 'required-text' | 'none' }> = {
  button: { body: 'required', header: ['text', 'image', 'video', 'document'] },
  list: { body: 'required', header: ['text'] },
  cta_url: { body: 'required', header: ['text', 'image', 'video', 'document'] },
  flow: { body: 'required', header: ['text', 'image', 'video', 'document'] },
  product: { body: 'optional', header: 'none' },
  product_list: { body: 'required', header: 'required-text' },
  catalog_message: { body: 'required', header: 'none' },
  location_request_message: { body: 'required', header: 'none' },
  call_permission_request: { body: 'required', header: 'none' },
  carousel: { body: 'required', header: 'none' },
  voice_call: { body: 'required', header: 'none' },
  order_details: { body: 'required', header: ['image'] },
  order_status: { body: 'required', header: 'none' },
};

/**
 * An interactive message (`interactive`): its type, header, body, footer and the action that
 * type takes, with Meta's counts and lengths (reply buttons 1–3, list rows ≤ 10 in all,
 * carousel cards 2–10, ...).
 */
export function checkInteractive(value: unknown, path: Path): Check {
  const interactive = rec(value);
  const type = interactive.type;
  const kind = typeof type === 'string' ? KINDS[type] : undefined;
  const found =
    checkKeys(value, path, ['type', 'header', 'body', 'footer', 'action']) ?? checkEnum(type, [...path, 'type'], Object.keys(KINDS));
  if (found || !kind) return found;
  return (
    checkHeader(interactive.header, [...path, 'header'], type as string, kind.header) ??
    checkTextPart(interactive.body, [...path, 'body'], 1024, kind.body === 'optional') ??
    checkTextPart(interactive.footer, [...path, 'footer'], 60, true) ??
    checkObject(interactive.action, [...path, 'action']) ??
    checkAction(type as string, interactive.action, [...path, 'action'])
  );
}

function checkHeader(header: unknown, path: Path, type: string, allowed: readonly string[] | 'required-text' | 'none'): Check {
  if (allowed === 'none') return header === undefined ? undefined : problem(path, `is not allowed on a "${type}" message`);
  if (header === undefined) return allowed === 'required-text' ? problem(path, `is required on a "${type}" message (a text header)`) : undefined;
  const kinds = allowed === 'required-text' ? ['text'] : allowed;
  const entry = rec(header);
  const found = checkObject(header, path) ?? checkEnum(entry.type, [...path, 'type'], kinds);
  if (found) return found;
  const kind = entry.type as string;
  if (kind === 'text') return checkKeys(header, path, ['type', 'text', 'sub_text']) ?? checkString(entry.text, [...path, 'text'], { max: 60 }) ?? checkString(entry.sub_text, [...path, 'sub_text'], { optional: true, max: 60 });
  return checkKeys(header, path, ['type', kind]) ?? checkMediaRef(entry[kind], [...path, kind], kind === 'document' ? ['filename'] : []);
}

/** `body` or `footer`: `{ text }`, not empty, at most `max` characters (when given). */
function checkTextPart(part: unknown, path: Path, max: number | undefined, optional: boolean): Check {
  if (part === undefined && optional) return undefined;
  return checkObject(part, path) ?? checkKeys(part, path, ['text']) ?? checkString(rec(part).text, [...path, 'text'], max === undefined ? {} : { max });
}

function checkAction(type: string, action: unknown, path: Path): Check {
  const entry = rec(action);
  switch (type) {
    case 'button':
      return checkReplyButtons(entry.buttons, [...path, 'buttons']);
    case 'list':
      return checkString(entry.button, [...path, 'button'], { max: 20 }) ?? checkListSections(entry.sections, [...path, 'sections']);
    case 'cta_url':
      return checkNamed(entry, path, 'cta_url') ?? checkCtaUrl(entry.parameters, [...path, 'parameters']);
    case 'flow':
      return checkNamed(entry, path, 'flow') ?? checkFlow(entry.parameters, [...path, 'parameters']);
    case 'product':
      return checkString(entry.catalog_id, [...path, 'catalog_id']) ?? checkString(entry.product_retailer_id, [...path, 'product_retailer_id']);
    case 'product_list':
      return checkString(entry.catalog_id, [...path, 'catalog_id']) ?? checkProductSections(entry.sections, [...path, 'sections']);
    case 'catalog_message':
      return (
        checkNamed(entry, path, 'catalog_message') ??
        checkObject(entry.parameters, [...path, 'parameters'], { optional: true }) ??
        checkString(rec(entry.parameters).thumbnail_product_retailer_id, [...path, 'parameters', 'thumbnail_product_retailer_id'], { optional: true })
      );
    case 'location_request_message':
      return checkNamed(entry, path, 'send_location');
    case 'call_permission_request':
      return checkNamed(entry, path, 'call_permission_request');
    case 'carousel':
      return checkCards(entry.cards, [...path, 'cards']);
    default:
      return undefined;
  }
}

function checkNamed(action: Record<string, unknown>, path: Path, name: string): Check {
  return checkEnum(action.name, [...path, 'name'], [name]);
}

/** Reply buttons: 1 to 3, `type: "reply"`, ids ≤ 256 without edge spaces, titles ≤ 20, both unique. */
function checkReplyButtons(buttons: unknown, path: Path): Check {
  const items = arr(buttons);
  return (
    checkArray(buttons, path, { min: 1, max: 3 }) ??
    checkEach(items, path, (button, itemPath) => {
      const { type, reply } = rec(button);
      const { id, title } = rec(reply);
      return (
        checkObject(button, itemPath) ??
        checkKeys(button, itemPath, ['type', 'reply']) ??
        checkEnum(type, [...itemPath, 'type'], ['reply']) ??
        checkObject(reply, [...itemPath, 'reply']) ??
        checkKeys(reply, [...itemPath, 'reply'], ['id', 'title']) ??
        checkString(id, [...itemPath, 'reply', 'id'], { max: 256 }) ??
        ((id as string).trim() === id ? undefined : problem([...itemPath, 'reply', 'id'], 'must not start or end with spaces')) ??
        checkString(title, [...itemPath, 'reply', 'title'], { max: 20 })
      );
    }) ??
    checkUnique(items, path, ['reply', 'id'], 'id') ??
    checkUnique(items, path, ['reply', 'title'], 'title')
  );
}

/** List sections: 1 to 10, a title ≤ 24 (required with more than one), rows ≤ 10 in all, row ids unique. */
function checkListSections(sections: unknown, path: Path): Check {
  const items = arr(sections);
  const rows = items.flatMap((section, s) => arr(rec(section).rows).map((row, r) => ({ row, at: [...path, s, 'rows', r] as Path })));
  const seen = new Map<string, Path>();
  return (
    checkArray(sections, path, { min: 1, max: 10 }) ??
    checkEach(items, path, (section, sectionPath) => {
      const entry = rec(section);
      return (
        checkObject(section, sectionPath) ??
        checkKeys(section, sectionPath, ['title', 'rows']) ??
        checkString(entry.title, [...sectionPath, 'title'], { max: 24, optional: items.length === 1 }) ??
        checkArray(entry.rows, [...sectionPath, 'rows'], { min: 1, max: 10 }) ??
        checkEach(arr(entry.rows), [...sectionPath, 'rows'], (row, rowPath) => {
          const { id, title, description } = rec(row);
          return (
            checkObject(row, rowPath) ??
            checkKeys(row, rowPath, ['id', 'title', 'description']) ??
            checkString(id, [...rowPath, 'id'], { max: 200 }) ??
            checkString(title, [...rowPath, 'title'], { max: 24 }) ??
            checkString(description, [...rowPath, 'description'], { optional: true, max: 72 })
          );
        })
      );
    }) ??
    (rows.length > 10 ? problem(rows[10]?.at ?? path, `is one row too many: a list has at most 10 rows in all its sections (it has ${rows.length})`) : undefined) ??
    rows.reduce<Check>((found, { row, at }) => {
      if (found) return found;
      const id = rec(row).id as string;
      const earlier = seen.get(id);
      if (earlier) return problem([...at, 'id'], `must be unique: row id "${id}" is also used at ${earlier.slice(-3).join('.')}`);
      seen.set(id, at);
      return undefined;
    }, undefined)
  );
}

/** Product list sections: 1 to 10, each with a title and 1 to 30 products, 30 products in all. */
function checkProductSections(sections: unknown, path: Path): Check {
  const items = arr(sections);
  const total = items.reduce<number>((sum, section) => sum + arr(rec(section).product_items).length, 0);
  return (
    checkArray(sections, path, { min: 1, max: 10 }) ??
    checkEach(items, path, (section, sectionPath) => {
      const entry = rec(section);
      return (
        checkObject(section, sectionPath) ??
        checkString(entry.title, [...sectionPath, 'title'], { max: 24, optional: items.length === 1 }) ??
        checkArray(entry.product_items, [...sectionPath, 'product_items'], { min: 1, max: 30 }) ??
        checkEach(arr(entry.product_items), [...sectionPath, 'product_items'], (item, itemPath) => checkObject(item, itemPath) ?? checkString(rec(item).product_retailer_id, [...itemPath, 'product_retailer_id']))
      );
    }) ??
    (total > 30 ? problem(path, `must hold at most 30 products in all (it has ${total})`) : undefined)
  );
}

/** A call-to-action URL button: `display_text` ≤ 20 and an http(s) `url`. */
function checkCtaUrl(parameters: unknown, path: Path): Check {
  const { display_text: text, url } = rec(parameters);
  return checkObject(parameters, path) ?? checkKeys(parameters, path, ['display_text', 'url']) ?? checkString(text, [...path, 'display_text'], { max: 20 }) ?? checkHttpUrl(url, [...path, 'url']);
}

function checkFlow(parameters: unknown, path: Path): Check {
  const entry = rec(parameters);
  const payload = entry.flow_action_payload;
  const data = rec(payload).data;
  return (
    checkObject(parameters, path) ??
    checkEnum(entry.flow_message_version, [...path, 'flow_message_version'], ['3']) ??
    (entry.flow_id !== undefined && entry.flow_name !== undefined ? problem([...path, 'flow_name'], 'must not be given with flow_id: name the flow by one of them') : undefined) ??
    (entry.flow_id === undefined && entry.flow_name === undefined ? problem([...path, 'flow_id'], 'is required (or flow_name)') : undefined) ??
    checkString(entry.flow_id, [...path, 'flow_id'], { optional: true }) ??
    checkString(entry.flow_name, [...path, 'flow_name'], { optional: true }) ??
    checkString(entry.flow_cta, [...path, 'flow_cta'], { max: 30 }) ??
    checkString(entry.flow_token, [...path, 'flow_token'], { optional: true }) ??
    checkEnum(entry.mode, [...path, 'mode'], ['draft', 'published'], { optional: true }) ??
    checkEnum(entry.flow_action, [...path, 'flow_action'], ['navigate', 'data_exchange'], { optional: true }) ??
    checkObject(payload, [...path, 'flow_action_payload'], { optional: true }) ??
    checkString(rec(payload).screen, [...path, 'flow_action_payload', 'screen'], { optional: true }) ??
    (data === undefined || (typeof data === 'object' && data !== null && !Array.isArray(data) && Object.keys(data).length > 0)
      ? undefined
      : problem([...path, 'flow_action_payload', 'data'], 'must be a non-empty object'))
  );
}

/** Media carousel cards: 2 to 10, each with an image or video header and a cta_url action. */
function checkCards(cards: unknown, path: Path): Check {
  return (
    checkArray(cards, path, { min: 2, max: 10 }) ??
    checkEach(arr(cards), path, (card, cardPath, index) => {
      const entry = rec(card);
      const action = rec(entry.action);
      return (
        checkObject(card, cardPath) ??
        checkKeys(card, cardPath, ['card_index', 'type', 'header', 'body', 'action']) ??
        (entry.card_index === index ? undefined : problem([...cardPath, 'card_index'], `must be ${index}, the card's position`)) ??
        checkEnum(entry.type, [...cardPath, 'type'], ['cta_url']) ??
        checkObject(entry.header, [...cardPath, 'header']) ??
        checkEnum(rec(entry.header).type, [...cardPath, 'header', 'type'], ['image', 'video']) ??
        checkMediaRef(rec(entry.header)[rec(entry.header).type as string], [...cardPath, 'header', rec(entry.header).type as string], []) ??
        checkTextPart(entry.body, [...cardPath, 'body'], undefined, true) ??
        checkObject(entry.action, [...cardPath, 'action']) ??
        checkNamed(action, [...cardPath, 'action'], 'cta_url') ??
        checkCtaUrl(action.parameters, [...cardPath, 'action', 'parameters'])
      );
    })
  );
}

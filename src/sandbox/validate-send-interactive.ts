/**
 * The `interactive` object of a send (cloud-api-facts.md §1.1 and §5.4): reply buttons, lists,
 * CTA URL, flows, single and multi product, catalog and location request messages.
 */
import {
  checkArray,
  checkEach,
  checkEnum,
  checkHttpUrl,
  checkKeys,
  checkMediaRef,
  checkObject,
  checkString,
  checkUnique,
  issue,
  list,
  rec,
  type Check,
  type Path,
} from './validate-checks.js';

/**
 * Checks `interactive` at `path`. Types Meta has but this sandbox does not model in detail
 * (order_details, order_status, call_permission_request, voice_call, carousel) only get their
 * body length checked, so a valid request is never refused for them.
 */
export function checkInteractive(value: unknown, path: Path): Check {
  const interactive = rec(value);
  const typeCheck =
    checkObject(value, path) ??
    checkString(interactive.type, [...path, 'type']) ??
    checkEnum(interactive.type, [...path, 'type'], [...Object.keys(SPECS), ...LOOSE_TYPES], { code: 100 });
  if (typeCheck) return typeCheck;
  const type = interactive.type as string;
  const spec = SPECS[type];
  if (spec === undefined) return checkBody(interactive.body, [...path, 'body'], true);
  const action = rec(interactive.action);
  const actionPath = [...path, 'action'];
  return (
    checkKeys(interactive, ['type', 'action', 'body', 'footer', ...(spec.header === 'none' ? [] : ['header'])], path) ??
    checkHeader(interactive.header, [...path, 'header'], spec) ??
    checkBody(interactive.body, [...path, 'body'], spec.bodyOptional === true) ??
    checkFooter(interactive.footer, [...path, 'footer']) ??
    checkObject(interactive.action, actionPath) ??
    checkKeys(action, spec.actionKeys, actionPath) ??
    spec.action(action, actionPath)
  );
}

interface InteractiveSpec {
  /** Which headers the type takes: none, text only, or text/image/video/document. */
  header: 'none' | 'text' | 'any';
  headerRequired?: boolean;
  bodyOptional?: boolean;
  actionKeys: readonly string[];
  action: (action: Record<string, unknown>, path: Path) => Check;
}

const SPECS: Record<string, InteractiveSpec> = {
  button: { header: 'any', actionKeys: ['buttons'], action: checkReplyButtons },
  list: { header: 'text', actionKeys: ['button', 'sections'], action: checkList },
  cta_url: { header: 'any', actionKeys: ['name', 'parameters'], action: checkCtaUrl },
  flow: { header: 'any', actionKeys: ['name', 'parameters'], action: checkFlow },
  product: { header: 'none', bodyOptional: true, actionKeys: ['catalog_id', 'product_retailer_id'], action: checkProduct },
  product_list: { header: 'text', headerRequired: true, actionKeys: ['catalog_id', 'sections'], action: checkProductList },
  catalog_message: { header: 'none', actionKeys: ['name', 'parameters'], action: checkCatalogMessage },
  location_request_message: { header: 'none', actionKeys: ['name'], action: checkLocationRequest },
};

const LOOSE_TYPES = ['order_details', 'order_status', 'call_permission_request', 'voice_call', 'carousel'];

const MEDIA_HEADERS = ['image', 'video', 'document'] as const;

function checkHeader(value: unknown, path: Path, spec: InteractiveSpec): Check {
  if (value === undefined || value === null) return spec.headerRequired ? issue('missing', path, 'is required') : undefined;
  const header = rec(value);
  const allowed = spec.header === 'text' ? ['text'] : ['text', ...MEDIA_HEADERS];
  const found =
    checkObject(value, path) ??
    checkEnum(header.type, [...path, 'type'], allowed) ??
    checkKeys(header, ['type', header.type as string], path);
  if (found) return found;
  const type = header.type as string;
  return type === 'text'
    ? checkString(header.text, [...path, 'text'], { max: 60 })
    : checkMediaRef(header[type], [...path, type], type === 'document' ? ['filename'] : []);
}

function checkBody(value: unknown, path: Path, optional: boolean): Check {
  const body = rec(value);
  return (
    checkObject(value, path, optional) ??
    checkKeys(body, ['text'], path) ??
    (value === undefined || value === null ? undefined : checkString(body.text, [...path, 'text'], { max: 1024 }))
  );
}

function checkFooter(value: unknown, path: Path): Check {
  const footer = rec(value);
  return (
    checkObject(value, path, true) ??
    checkKeys(footer, ['text'], path) ??
    (value === undefined || value === null ? undefined : checkString(footer.text, [...path, 'text'], { max: 60 }))
  );
}

function checkReplyButtons(action: Record<string, unknown>, path: Path): Check {
  const buttonsPath = [...path, 'buttons'];
  const buttons = list(action.buttons);
  const replies = buttons.map((button) => rec(rec(button).reply));
  return (
    checkArray(action.buttons, buttonsPath, { min: 1, max: 3 }) ??
    checkEach(buttons, buttonsPath, checkReplyButton) ??
    checkUnique(replies.map((reply, i) => ({ value: reply.id, path: [...buttonsPath, i, 'reply', 'id'] }))) ??
    checkUnique(replies.map((reply, i) => ({ value: reply.title, path: [...buttonsPath, i, 'reply', 'title'] })))
  );
}

function checkReplyButton(value: unknown, path: Path): Check {
  const button = rec(value);
  const reply = rec(button.reply);
  const replyPath = [...path, 'reply'];
  return (
    checkObject(value, path) ??
    checkKeys(button, ['type', 'reply'], path) ??
    checkEnum(button.type, [...path, 'type'], ['reply']) ??
    checkObject(button.reply, replyPath) ??
    checkKeys(reply, ['id', 'title'], replyPath) ??
    checkString(reply.id, [...replyPath, 'id'], { max: 256 }) ??
    checkNoEdgeSpaces(reply.id, [...replyPath, 'id']) ??
    checkString(reply.title, [...replyPath, 'title'], { max: 20 })
  );
}

function checkNoEdgeSpaces(value: unknown, path: Path): Check {
  return typeof value === 'string' && value.trim() !== value
    ? issue('value', path, 'must not have leading or trailing spaces')
    : undefined;
}

function checkList(action: Record<string, unknown>, path: Path): Check {
  const sectionsPath = [...path, 'sections'];
  const sections = list(action.sections);
  const rows = sections.flatMap((section, s) =>
    list(rec(section).rows).map((row, r) => ({ row: rec(row), path: [...sectionsPath, s, 'rows', r] })),
  );
  return (
    checkString(action.button, [...path, 'button'], { max: 20 }) ??
    checkArray(action.sections, sectionsPath, { min: 1, max: 10 }) ??
    checkEach(sections, sectionsPath, (section, sectionPath) => checkListSection(section, sectionPath, sections.length > 1)) ??
    (rows.length > 10 ? issue('value', sectionsPath, `must contain at most 10 rows in total (found ${rows.length})`) : undefined) ??
    checkUnique(rows.map(({ row, path: rowPath }) => ({ value: row.id, path: [...rowPath, 'id'] })))
  );
}

function checkListSection(value: unknown, path: Path, titleRequired: boolean): Check {
  const section = rec(value);
  const rowsPath = [...path, 'rows'];
  return (
    checkObject(value, path) ??
    checkKeys(section, ['title', 'rows'], path) ??
    checkString(section.title, [...path, 'title'], { max: 24, optional: !titleRequired }) ??
    checkArray(section.rows, rowsPath, { min: 1 }) ??
    checkEach(list(section.rows), rowsPath, checkListRow)
  );
}

function checkListRow(value: unknown, path: Path): Check {
  const row = rec(value);
  return (
    checkObject(value, path) ??
    checkKeys(row, ['id', 'title', 'description'], path) ??
    checkString(row.id, [...path, 'id'], { max: 200 }) ??
    checkString(row.title, [...path, 'title'], { max: 24 }) ??
    checkString(row.description, [...path, 'description'], { max: 72, optional: true })
  );
}

/** `action.name` must equal the given value; `action.parameters` object with `keys`. */
function checkNamedAction(action: Record<string, unknown>, path: Path, name: string, keys: readonly string[], parametersOptional = false): Check {
  const parameters = rec(action.parameters);
  const parametersPath = [...path, 'parameters'];
  return (
    checkEnum(action.name, [...path, 'name'], [name]) ??
    checkObject(action.parameters, parametersPath, parametersOptional) ??
    checkKeys(parameters, keys, parametersPath)
  );
}

function checkCtaUrl(action: Record<string, unknown>, path: Path): Check {
  const parameters = rec(action.parameters);
  const parametersPath = [...path, 'parameters'];
  return (
    checkNamedAction(action, path, 'cta_url', ['display_text', 'url']) ??
    checkString(parameters.display_text, [...parametersPath, 'display_text'], { max: 20 }) ??
    checkHttpUrl(parameters.url, [...parametersPath, 'url'])
  );
}

const FLOW_KEYS = [
  'flow_message_version',
  'flow_token',
  'flow_id',
  'flow_name',
  'flow_cta',
  'mode',
  'flow_action',
  'flow_action_payload',
];

function checkFlow(action: Record<string, unknown>, path: Path): Check {
  const parameters = rec(action.parameters);
  const p = [...path, 'parameters'];
  const hasId = parameters.flow_id !== undefined;
  const hasName = parameters.flow_name !== undefined;
  return (
    checkNamedAction(action, path, 'flow', FLOW_KEYS) ??
    checkEnum(parameters.flow_message_version, [...p, 'flow_message_version'], ['3']) ??
    (hasId && hasName ? issue('value', p, 'must have either flow_id or flow_name, not both', 100) : undefined) ??
    (!hasId && !hasName ? issue('missing', p, 'requires one of flow_id or flow_name') : undefined) ??
    checkString(parameters.flow_id, [...p, 'flow_id'], { optional: true }) ??
    checkString(parameters.flow_name, [...p, 'flow_name'], { optional: true }) ??
    // Meta documents 30 characters (some SDKs enforce 20); the sandbox follows Meta.
    checkString(parameters.flow_cta, [...p, 'flow_cta'], { max: 30 }) ??
    checkString(parameters.flow_token, [...p, 'flow_token'], { optional: true }) ??
    checkEnum(parameters.mode, [...p, 'mode'], ['draft', 'published'], { optional: true }) ??
    checkEnum(parameters.flow_action, [...p, 'flow_action'], ['navigate', 'data_exchange'], { optional: true }) ??
    checkFlowPayload(parameters.flow_action_payload, [...p, 'flow_action_payload'])
  );
}

function checkFlowPayload(value: unknown, path: Path): Check {
  const payload = rec(value);
  return (
    checkObject(value, path, true) ??
    checkKeys(payload, ['screen', 'data'], path) ??
    (value === undefined || value === null ? undefined : checkString(payload.screen, [...path, 'screen'])) ??
    checkObject(payload.data, [...path, 'data'], true) ??
    (payload.data !== undefined && Object.keys(rec(payload.data)).length === 0
      ? issue('value', [...path, 'data'], 'must not be an empty object')
      : undefined)
  );
}

function checkProduct(action: Record<string, unknown>, path: Path): Check {
  return (
    checkString(action.catalog_id, [...path, 'catalog_id']) ??
    checkString(action.product_retailer_id, [...path, 'product_retailer_id'])
  );
}

function checkProductList(action: Record<string, unknown>, path: Path): Check {
  const sectionsPath = [...path, 'sections'];
  const sections = list(action.sections);
  const total = sections.reduce<number>((sum, section) => sum + list(rec(section).product_items).length, 0);
  return (
    checkString(action.catalog_id, [...path, 'catalog_id']) ??
    checkArray(action.sections, sectionsPath, { min: 1, max: 10 }) ??
    checkEach(sections, sectionsPath, checkProductSection) ??
    (total > 30 ? issue('value', sectionsPath, `must contain at most 30 products in total (found ${total})`) : undefined)
  );
}

function checkProductSection(value: unknown, path: Path): Check {
  const section = rec(value);
  const itemsPath = [...path, 'product_items'];
  return (
    checkObject(value, path) ??
    checkKeys(section, ['title', 'product_items'], path) ??
    checkString(section.title, [...path, 'title'], { max: 24 }) ??
    checkArray(section.product_items, itemsPath, { min: 1 }) ??
    checkEach(list(section.product_items), itemsPath, (item, itemPath) =>
      checkObject(item, itemPath) ??
      checkKeys(rec(item), ['product_retailer_id'], itemPath) ??
      checkString(rec(item).product_retailer_id, [...itemPath, 'product_retailer_id']),
    )
  );
}

function checkCatalogMessage(action: Record<string, unknown>, path: Path): Check {
  const parameters = rec(action.parameters);
  return (
    checkNamedAction(action, path, 'catalog_message', ['thumbnail_product_retailer_id'], true) ??
    checkString(parameters.thumbnail_product_retailer_id, [...path, 'parameters', 'thumbnail_product_retailer_id'], {
      optional: true,
    })
  );
}

function checkLocationRequest(action: Record<string, unknown>, path: Path): Check {
  return checkEnum(action.name, [...path, 'name'], ['send_location']);
}

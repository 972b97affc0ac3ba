import type { SendMessageRequest } from '../whatsapp/wire.js';
import { metaFailure, type MetaFailure } from './meta-errors.js';
import type { SandboxWaba } from './state.js';

/**
 * Checks that an interactive message names flows, catalogs and products the WABA has, as Meta
 * does before it accepts the message: a `flow` message needs a flow of the WABA (`flow_id` or
 * `flow_name`); `product` and `product_list` need a catalog connected to the WABA holding every
 * product named; `catalog_message` needs a connected catalog holding the thumbnail product.
 * Anything unknown is Meta's 131009 (parameter value is not valid), synchronous, with `details`
 * naming the field. Other message types pass.
 *
 * @example
 * checkCommerceRefs(waba, { ..., type: 'interactive', interactive: { type: 'product', action: { catalog_id: '1', product_retailer_id: 'x' } } })
 * // → { code: 131009, details: "interactive.action.catalog_id: catalog 1 is not connected to WhatsApp Business Account ..." }
 */
export function checkCommerceRefs(waba: SandboxWaba, request: SendMessageRequest): MetaFailure | undefined {
  const interactive = request.interactive as { type?: string; action?: Record<string, unknown> } | undefined;
  if (request.type !== 'interactive' || !interactive?.action) return undefined;
  const action = interactive.action;
  const parameters = (action.parameters ?? {}) as Record<string, unknown>;
  switch (interactive.type) {
    case 'flow':
      return checkFlow(waba, parameters);
    case 'product':
      return checkProducts(waba, String(action.catalog_id), [['interactive.action.product_retailer_id', String(action.product_retailer_id)]]);
    case 'product_list': {
      const sections = (action.sections ?? []) as Array<{ product_items?: Array<{ product_retailer_id?: unknown }> }>;
      const named = sections.flatMap((section, s) =>
        (section.product_items ?? []).map((item, i): [string, string] => [
          `interactive.action.sections[${s}].product_items[${i}].product_retailer_id`,
          String(item.product_retailer_id),
        ]),
      );
      return checkProducts(waba, String(action.catalog_id), named);
    }
    case 'catalog_message': {
      const catalogs = waba.catalogs ?? [];
      if (catalogs.length === 0) {
        return metaFailure(131009, `No catalog is connected to WhatsApp Business Account ${waba.id}; a catalog_message needs one.`);
      }
      const thumbnail = parameters.thumbnail_product_retailer_id;
      if (typeof thumbnail === 'string' && !catalogs.some((c) => c.products.includes(thumbnail))) {
        return metaFailure(
          131009,
          `interactive.action.parameters.thumbnail_product_retailer_id: product ${thumbnail} is not in the catalog connected to WhatsApp Business Account ${waba.id}.`,
        );
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function checkFlow(waba: SandboxWaba, parameters: Record<string, unknown>): MetaFailure | undefined {
  const flows = waba.flows ?? [];
  if (typeof parameters.flow_id === 'string') {
    const id = parameters.flow_id;
    return flows.some((f) => f.id === id)
      ? undefined
      : metaFailure(131009, `interactive.action.parameters.flow_id: flow ${id} does not exist in WhatsApp Business Account ${waba.id}.`);
  }
  if (typeof parameters.flow_name === 'string') {
    const name = parameters.flow_name;
    return flows.some((f) => f.name === name)
      ? undefined
      : metaFailure(131009, `interactive.action.parameters.flow_name: no flow named "${name}" in WhatsApp Business Account ${waba.id}.`);
  }
  return undefined;
}

function checkProducts(waba: SandboxWaba, catalogId: string, named: Array<[field: string, retailerId: string]>): MetaFailure | undefined {
  const catalog = (waba.catalogs ?? []).find((c) => c.id === catalogId);
  if (!catalog) {
    return metaFailure(131009, `interactive.action.catalog_id: catalog ${catalogId} is not connected to WhatsApp Business Account ${waba.id}.`);
  }
  const missing = named.find(([, retailerId]) => !catalog.products.includes(retailerId));
  return missing ? metaFailure(131009, `${missing[0]}: product ${missing[1]} is not in catalog ${catalogId}.`) : undefined;
}

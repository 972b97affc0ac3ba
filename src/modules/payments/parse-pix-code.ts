// Reads a Pix BR Code: EMV TLV objects (two-digit ID, two-digit length, value), the checksum
// in field 63, and the Pix fields. It reads what banks and PSPs emit, which is more than
// buildPixCode writes: dynamic codes (26/25 URL, 01 "12"), other payment schemes' templates
// next to Pix (27..51, 80..99), upper-case GUIs, hyphens in the txid, long city names.
// Lengths count characters (code points); the checksum covers the UTF-8 bytes.

import { crc16Hex } from './crc16.js';
import { PIX_GUI } from './pix.js';

/** One EMV data object; templates (26..51, 62, 64, 80..99) carry their decoded children too. */
export interface EmvDataObject {
  id: string;
  value: string;
  children?: EmvDataObject[];
}

/** The Pix fields of a BR Code, named as buildPixCode's input; absent fields are left out. */
export interface PixCodeFields {
  payloadFormatIndicator: string;
  /** 01: "11" reusable (static), "12" single use (dynamic). */
  pointOfInitiationMethod?: string;
  /** 26..51 / 00, spelled as found. */
  gui: string;
  /** 26..51 / 01: present in static codes. */
  key?: string;
  /** 26..51 / 02. */
  description?: string;
  /** 26..51 / 25: the payload location of a dynamic code. */
  url?: string;
  merchantCategoryCode: string;
  currency: string;
  amount?: string;
  countryCode: string;
  merchantName: string;
  merchantCity: string;
  postalCode?: string;
  /** 62 / 05; "***" means none. */
  txid?: string;
  crc: string;
}

/** Why a code was refused; stable, unlike the wording of `rule`. */
export type PixParseRejectionCode = 'required' | 'malformed' | 'bad_checksum' | 'not_pix' | 'missing_field' | 'bad_value';

export type ParsedPixCode =
  | { ok: true; fields: PixCodeFields; objects: EmvDataObject[] }
  | { ok: false; code: PixParseRejectionCode; id: string | undefined; rule: string };


/**
 * Decodes a Pix BR Code ("copia e cola") and checks it: well-formed TLV, field 00 first and
 * 63 last, the CRC16 right, a Merchant Account Information with the Pix GUI holding a key
 * or a URL, the mandatory fields present and the currency BRL. Refusals name the EMV ID
 * (`id`, e.g. "63" or "26.01") and read after the word "code" ("code: has a wrong checksum ...").
 *
 * @example parsePixCode('00020126580014br.gov.bcb.pix0136123e4567-...63041D3D')
 * // { ok: true, fields: { key: '123e4567-...', merchantName: 'Fulano de Tal', crc: '1D3D', ... }, objects: [...] }
 */
export function parsePixCode(input: string): ParsedPixCode {
  const code = input.trim();
  if (code === '') return refuse('required', undefined, 'is required');

  const decoded = decodeEmv([...code], '');
  if (!decoded.ok) return decoded;
  const objects = decoded.objects;

  const first = objects[0];
  if (first?.id !== '00') return refuse('malformed', '00', 'must start with the Payload Format Indicator (ID 00)');
  const last = objects[objects.length - 1];
  if (last?.id !== '63' || !/^[0-9A-Fa-f]{4}$/.test(last.value)) return refuse('malformed', '63', 'must end with the CRC16 (ID 63, four hex digits)');
  const seen = new Set<string>();
  for (const object of objects) {
    if (seen.has(object.id)) return refuse('malformed', object.id, `has ID ${object.id} more than once`);
    seen.add(object.id);
  }

  const expected = crc16Hex(code.slice(0, code.length - 4));
  if (expected !== last.value.toUpperCase()) return refuse('bad_checksum', '63', `has a wrong checksum: field 63 says ${last.value}, the content gives ${expected} (the code was altered or cut)`);

  const pixPrefix = `00${PIX_GUI.length.toString().padStart(2, '0')}${PIX_GUI}`;
  const account = objects.find((object) => isMerchantAccount(object.id) && object.value.toLowerCase().startsWith(pixPrefix));
  if (!account) return refuse('not_pix', '26', `is not a Pix code: no Merchant Account Information (IDs 26..51) has the GUI ${PIX_GUI}`);
  if (!account.children) return refuse('malformed', account.id, `has a Pix Merchant Account Information (ID ${account.id}) that is not EMV TLV`);
  const key = child(account, '01');
  const url = child(account, '25');
  if (key === undefined && url === undefined) return refuse('missing_field', `${account.id}.01`, 'has neither a Pix key (01) nor a payload URL (25) in its Merchant Account Information');

  const top = (id: string): string | undefined => objects.find((object) => object.id === id)?.value;
  for (const [id, name] of [['52', 'Merchant Category Code'], ['53', 'Transaction Currency'], ['58', 'Country Code'], ['59', 'Merchant Name'], ['60', 'Merchant City']] as const) {
    if (top(id) === undefined) return refuse('missing_field', id, `lacks the ${name} (ID ${id})`);
  }
  if (top('53') !== '986') return refuse('bad_value', '53', `must be in BRL (currency 986), not ${top('53')}`);
  const amount = top('54');
  if (amount !== undefined && !/^\d+(\.\d+)?$/.test(amount)) return refuse('bad_value', '54', `has an amount that is not a dot-decimal number: "${amount}"`);
  const additionalData = objects.find((object) => object.id === '62');
  if (additionalData && !additionalData.children) return refuse('malformed', '62', 'has an Additional Data Field (ID 62) that is not EMV TLV');

  const fields: PixCodeFields = {
    payloadFormatIndicator: first.value,
    gui: child(account, '00') ?? PIX_GUI,
    merchantCategoryCode: top('52') ?? '',
    currency: top('53') ?? '',
    countryCode: top('58') ?? '',
    merchantName: top('59') ?? '',
    merchantCity: top('60') ?? '',
    crc: last.value,
  };
  assignDefined(fields, {
    pointOfInitiationMethod: top('01'),
    key,
    description: child(account, '02'),
    url,
    amount,
    postalCode: top('61'),
    txid: additionalData ? child(additionalData, '05') : undefined,
  });
  return { ok: true, fields, objects };
}

type Decoded = { ok: true; objects: EmvDataObject[] } | { ok: false; code: PixParseRejectionCode; id: string | undefined; rule: string };

/** Decodes a run of TLV objects; `chars` are code points so lengths count characters. */
function decodeEmv(chars: string[], parent: string): Decoded {
  const objects: EmvDataObject[] = [];
  let at = 0;
  while (at < chars.length) {
    const id = chars.slice(at, at + 2).join('');
    const length = chars.slice(at + 2, at + 4).join('');
    const path = parent ? `${parent}.${id}` : id;
    if (!/^\d{2}$/.test(id) || !/^\d{2}$/.test(length)) return refuse('malformed', path || undefined, `is not EMV TLV at character ${at + 1} of ${parent ? `field ${parent}` : 'the code'}: expected a two-digit ID and a two-digit length`);
    const end = at + 4 + Number(length);
    if (end > chars.length) return refuse('malformed', path, `field ${path} says ${Number(length)} characters but only ${chars.length - at - 4} remain`);
    const value = chars.slice(at + 4, end).join('');
    const object: EmvDataObject = { id, value };
    if (!parent && isTemplate(id)) {
      // Other schemes' templates may bend the rules; only Pix's own must decode (checked by the caller).
      const inner = decodeEmv([...value], id);
      if (inner.ok) object.children = inner.objects;
    }
    objects.push(object);
    at = end;
  }
  return { ok: true, objects };
}

/** EMV MPM templates: Merchant Account Information, Additional Data, Language, Unreserved. */
function isTemplate(id: string): boolean {
  return isMerchantAccount(id) || id === '62' || id === '64' || Number(id) >= 80;
}

function isMerchantAccount(id: string): boolean {
  return Number(id) >= 26 && Number(id) <= 51;
}

function child(template: EmvDataObject, id: string): string | undefined {
  return template.children?.find((object) => object.id === id)?.value;
}

function assignDefined(target: PixCodeFields, values: Partial<PixCodeFields>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) Object.assign(target, { [name]: value });
  }
}

function refuse(code: PixParseRejectionCode, id: string | undefined, rule: string): { ok: false; code: PixParseRejectionCode; id: string | undefined; rule: string } {
  return { ok: false, code, id, rule };
}

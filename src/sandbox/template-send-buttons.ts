/**
 * The button part of a template send: each `button` component names a template button by
 * `index` and must carry the `sub_type` and parameters that button takes (cloud-api-facts.md
 * §1.1). Pure; used by `template-send.ts`.
 */
import type { TemplateComponentDefinition, TemplateRecord, TemplateSendComponent } from '../whatsapp/wire.js';
import type { RenderedButton } from './template-send.js';
import { bindParameters, checkValue, failed, type Matched } from './template-send-params.js';

type Button = NonNullable<TemplateComponentDefinition['buttons']>[number];

/** The `sub_type` a send uses for each template button type; absent = the button takes none. */
const SUB_TYPE: Record<string, string> = {
  QUICK_REPLY: 'quick_reply',
  URL: 'url',
  COPY_CODE: 'copy_code',
  // Authentication templates: the code goes in a `url` button parameter (authentication templates guide).
  OTP: 'url',
  FLOW: 'flow',
  CATALOG: 'catalog',
  MPM: 'mpm',
  VOICE_CALL: 'voice_call',
};

/** Labels Meta shows when the template gives none. */
const DEFAULT_LABEL: Record<string, string> = { COPY_CODE: 'Copy offer code', OTP: 'Copy code' };

const CODE_MAX = 15;
const PARAM_MAX = 1024;

/**
 * Matches the send's button components to the template's buttons and renders every button.
 *
 * - an index the template has no button at → 131009
 * - a `sub_type` other than the button's → 132012 `button at index 0: Format mismatch, expected url, received quick_reply`
 * - a URL button with `{{1}}` (or an OTP button) without exactly one text parameter → 132000
 * - a COPY_CODE button without a `coupon_code` parameter → 132000 (none sent) or 131008 (empty)
 */
export function renderButtons(template: TemplateRecord, sent: ReadonlyMap<number, TemplateSendComponent>): Matched<RenderedButton[]> {
  const buttons = template.components.find((c) => c.type.toUpperCase() === 'BUTTONS')?.buttons ?? [];
  for (const index of sent.keys()) {
    if (index >= buttons.length) {
      return failed(131009, `button at index ${index}: the template has no button at this index (it has ${buttons.length})`);
    }
  }
  const rendered: RenderedButton[] = [];
  for (const [index, button] of buttons.entries()) {
    const one = renderButton(button, index, sent.get(index));
    if (!one.ok) return one;
    rendered.push(one.value);
  }
  return { ok: true, value: rendered };
}

function renderButton(button: Button, index: number, sent: TemplateSendComponent | undefined): Matched<RenderedButton> {
  const type = button.type.toUpperCase();
  const label = `button at index ${index}`;
  const text = labelOf(button, type);
  const expected = SUB_TYPE[type];
  const params = sent?.parameters ?? [];
  if (sent !== undefined) {
    const received = String(sent.sub_type ?? 'UNKNOWN').toLowerCase();
    if (expected === undefined) return failed(132012, `${label}: Format mismatch, ${type} buttons take no parameters, received ${received}`);
    if (received !== expected) return failed(132012, `${label}: Format mismatch, expected ${expected}, received ${received}`);
  }

  switch (type) {
    case 'URL': {
      const url = button.url ?? '';
      const keys = url.includes('{{1}}') ? ['1'] : [];
      const bound = bindParameters(params, { label, keys, named: false, maxLength: PARAM_MAX, types: ['text'] });
      if (!bound.ok) return bound;
      const suffix = bound.value.get('1');
      return { ok: true, value: { type, text, url: suffix === undefined ? url : url.replace('{{1}}', suffix) } };
    }
    case 'OTP': {
      const bound = bindParameters(params, { label, keys: ['1'], named: false, maxLength: CODE_MAX, types: ['text'] });
      if (!bound.ok) return bound;
      const code = bound.value.get('1');
      return { ok: true, value: { type, text, ...(code === undefined ? {} : { coupon_code: code }) } };
    }
    case 'COPY_CODE': {
      if (params.length !== 1) {
        return failed(132000, `${label}: number of localizable_params (${params.length}) does not match the expected number of params (1)`);
      }
      const param = params[0];
      const paramType = String(param?.type ?? 'UNKNOWN').toUpperCase();
      if (paramType !== 'COUPON_CODE') return failed(132012, `${label}: Format mismatch, expected COUPON_CODE, received ${paramType}`);
      const code = param?.coupon_code;
      if (typeof code !== 'string' || code === '') return failed(131008, `${label}: coupon_code is required`);
      const checked = checkValue(code, `${label}: coupon_code`, CODE_MAX);
      if (!checked.ok) return checked;
      return { ok: true, value: { type, text, coupon_code: code } };
    }
    case 'QUICK_REPLY': {
      if (params.length > 1) {
        return failed(132000, `${label}: number of localizable_params (${params.length}) does not match the expected number of params (1)`);
      }
      // Meta's own examples send the payload as `payload` and also as a `text` parameter.
      const given = params[0]?.payload ?? params[0]?.text;
      return { ok: true, value: { type, text, payload: given === undefined ? text : String(given) } };
    }
    default:
      // FLOW, CATALOG, MPM, VOICE_CALL take an optional action; PHONE_NUMBER and APP take nothing.
      return { ok: true, value: { type, text } };
  }
}

function labelOf(button: Button, type: string): string {
  if (button.text !== undefined) return button.text;
  if (type === 'OTP' && button.otp_type === 'ONE_TAP' && typeof button.autofill_text === 'string') return button.autofill_text;
  return DEFAULT_LABEL[type] ?? '';
}

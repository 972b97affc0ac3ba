/**
 * The `template` object of a send, shape only (cloud-api-facts.md §1.1): whether the template
 * exists, is approved, and gets the right number and format of parameters is the template
 * matcher's job (132001, 132000, 132012...).
 */
import {
  checkArray,
  checkEach,
  checkEnum,
  checkKeys,
  checkLocation,
  checkMediaRef,
  checkNumber,
  checkObject,
  checkString,
  issue,
  list,
  rec,
  type Check,
  type Path,
} from './validate-checks.js';

/** Checks `template` at `path`. */
export function checkTemplate(value: unknown, path: Path): Check {
  const template = rec(value);
  const language = rec(template.language);
  const languagePath = [...path, 'language'];
  const componentsPath = [...path, 'components'];
  return (
    checkObject(value, path) ??
    checkKeys(template, ['name', 'language', 'components'], path) ??
    checkString(template.name, [...path, 'name'], { max: 512 }) ??
    checkObject(template.language, languagePath) ??
    checkKeys(language, ['code', 'policy'], languagePath) ??
    checkString(language.code, [...languagePath, 'code']) ??
    checkEnum(language.policy, [...languagePath, 'policy'], ['deterministic'], { optional: true }) ??
    checkArray(template.components, componentsPath, { optional: true }) ??
    checkEach(list(template.components), componentsPath, checkComponent)
  );
}

type ComponentType = 'header' | 'body' | 'button' | 'footer';

/** Parameter types each component takes. */
const PARAMETER_TYPES: Record<ComponentType, readonly string[]> = {
  header: ['text', 'image', 'video', 'document', 'location'],
  body: ['text', 'currency', 'date_time'],
  button: ['payload', 'text', 'coupon_code', 'action'],
  footer: [],
};

/** Longest text parameter per component. Body allows 32768 here; the template matcher lowers it
 * to 1024 when the template has components other than the body. */
const TEXT_LIMITS: Record<ComponentType, number> = { header: 60, body: 32768, button: 1024, footer: 0 };

const BUTTON_SUB_TYPES = ['quick_reply', 'url', 'copy_code', 'flow', 'catalog', 'mpm', 'voice_call', 'otp'];

function checkComponent(value: unknown, path: Path): Check {
  const component = rec(value);
  const found =
    checkObject(value, path) ??
    checkEnum(component.type, [...path, 'type'], Object.keys(PARAMETER_TYPES));
  if (found) return found;
  const type = component.type as ComponentType;
  const parametersPath = [...path, 'parameters'];
  return (
    checkKeys(component, type === 'button' ? ['type', 'sub_type', 'index', 'parameters'] : ['type', 'parameters'], path) ??
    (type === 'button' ? checkButtonComponent(component, path) : undefined) ??
    checkArray(component.parameters, parametersPath, { optional: true }) ??
    checkEach(list(component.parameters), parametersPath, (parameter, p) => checkParameter(parameter, p, type))
  );
}

function checkButtonComponent(component: Record<string, unknown>, path: Path): Check {
  const subType = component.sub_type;
  const index = component.index;
  const found = checkString(subType, [...path, 'sub_type']);
  if (found) return found;
  // Meta's own examples send "CATALOG" as well as "quick_reply", so the case is not significant.
  if (!BUTTON_SUB_TYPES.includes((subType as string).toLowerCase())) {
    return issue('value', [...path, 'sub_type'], `must be one of ${BUTTON_SUB_TYPES.map((s) => `"${s}"`).join(', ')}`);
  }
  if (index === undefined || index === null) return issue('missing', [...path, 'index'], 'is required');
  // Meta's examples send both "0" and 0.
  const position = typeof index === 'number' ? index : typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : NaN;
  return Number.isInteger(position) && position >= 0 && position <= 9
    ? undefined
    : issue('value', [...path, 'index'], 'must be a button position from 0 to 9, as a string or an integer');
}

function checkParameter(value: unknown, path: Path, component: ComponentType): Check {
  const parameter = rec(value);
  const allowed = PARAMETER_TYPES[component];
  const found =
    checkObject(value, path) ??
    (component === 'footer' ? issue('value', path.slice(0, -1), 'must be empty: footer components take no parameters') : undefined) ??
    checkEnum(parameter.type, [...path, 'type'], allowed);
  if (found) return found;
  const type = parameter.type as string;
  const valuePath = [...path, type];
  return (
    checkKeys(parameter, ['type', 'parameter_name', type], path) ??
    checkParameterName(parameter.parameter_name, [...path, 'parameter_name']) ??
    checkParameterValue(parameter[type], valuePath, type, component)
  );
}

function checkParameterName(value: unknown, path: Path): Check {
  const found = checkString(value, path, { optional: true });
  if (found || value === undefined || value === null) return found;
  return /^[a-z0-9_]+$/.test(value as string)
    ? undefined
    : issue('value', path, 'must contain only lowercase letters, digits and underscores');
}

function checkParameterValue(value: unknown, path: Path, type: string, component: ComponentType): Check {
  switch (type) {
    case 'text':
      return checkString(value, path, { max: TEXT_LIMITS[component] });
    case 'payload':
      return checkString(value, path, { max: 1024 });
    case 'coupon_code':
      return checkString(value, path, { max: 15 });
    case 'currency':
      return checkCurrency(value, path);
    case 'date_time':
      // Only fallback_value is used today; Meta's examples still send calendar fields, so others pass.
      return checkObject(value, path) ?? checkString(rec(value).fallback_value, [...path, 'fallback_value']);
    case 'image':
    case 'video':
      return checkMediaRef(value, path, []);
    case 'document':
      return checkMediaRef(value, path, ['filename']);
    case 'location':
      return checkLocation(value, path, { numericStrings: true, keys: ['latitude', 'longitude', 'name', 'address'] });
    case 'action':
      return checkObject(value, path);
    default:
      return undefined;
  }
}

function checkCurrency(value: unknown, path: Path): Check {
  const currency = rec(value);
  const code = currency.code;
  return (
    checkObject(value, path) ??
    checkKeys(currency, ['fallback_value', 'code', 'amount_1000'], path) ??
    checkString(currency.fallback_value, [...path, 'fallback_value']) ??
    checkString(code, [...path, 'code']) ??
    (/^[A-Z]{3}$/.test(code as string) ? undefined : issue('value', [...path, 'code'], 'must be an ISO 4217 currency code such as "USD"')) ??
    checkNumber(currency.amount_1000, [...path, 'amount_1000'], { integer: true })
  );
}

import { normalizePhone } from '../../contacts/index.js';
import type { AskInput, FlowLanguage } from '../document/index.js';
import { fold, matchUnique, wholeNumber } from './fold.js';
import type { CustomerMessage } from './types.js';

/** A validated answer (the value stored in the `ask` step's variable) or why it was refused. */
export type Validation = { ok: true; value: unknown } | { ok: false; reason: string };

export interface ValidateOptions {
  /** The language of the reasons. */
  language: FlowLanguage;
  /** "hoje"/"today" and dates without a year are read from this instant… */
  now: Date;
  /** …in this time zone (default America/Sao_Paulo). */
  timeZone?: string;
  /** number: bounds of the value; text: bounds of the length. */
  min?: number;
  max?: number;
  /** choice: the accepted answers. */
  choices?: string[];
  /** media: the accepted kinds (image, document, audio, video, sticker); empty: any. */
  media_types?: string[];
}

export const DEFAULT_TIME_ZONE = 'America/Sao_Paulo';

/**
 * Checks a customer's answer to an `ask` step and turns it into the value the flow keeps.
 *
 * - text: trimmed; `min`/`max` bound its length.
 * - number: `1.234,56`, `1234.5`, `R$ 10,00`; `min`/`max` bound the value.
 * - email: lower-cased. phone: E.164, Brazil when no country code (`(11) 98888-7777` → `+5511988887777`).
 * - cpf, cnpj: check digits verified; the value keeps only the digits (and a new alphanumeric CNPJ's letters).
 * - cep: `01310-100`. date: `yyyy-mm-dd` from `dd/mm/yyyy`, `dd/mm`, `yyyy-mm-dd`, hoje/amanhã/today/tomorrow/hoy/mañana.
 * - time: `HH:MM` from `14:30`, `14h`, `14h30`, `2pm`. yes_no: a boolean. choice: the choice as written in the flow.
 * - media: `{ media_type, media_id, caption }`. location: `{ latitude, longitude, name, address }`.
 *
 * @example validateAnswer('cep', { kind: 'text', text: '01310100' }, { language: 'pt', now }) // { ok: true, value: '01310-100' }
 */
export function validateAnswer(input: AskInput, message: CustomerMessage, options: ValidateOptions): Validation {
  const reasons = REASONS[options.language] ?? REASONS.pt;
  if (input === 'media') return validateMedia(message, options, reasons);
  if (input === 'location') {
    if (message.kind !== 'location') return refuse(reasons.location);
    return { ok: true, value: { latitude: message.latitude, longitude: message.longitude, name: message.name ?? null, address: message.address ?? null } };
  }
  if (input === 'yes_no' && message.kind === 'reply' && (message.id === 'yes' || message.id === 'no')) return { ok: true, value: message.id === 'yes' };
  if (input === 'choice' && message.kind === 'reply') {
    const index = /^choice:(\d+)$/.exec(message.id);
    const choice = index ? options.choices?.[Number(index[1])] : undefined;
    if (choice !== undefined) return { ok: true, value: choice };
  }
  const text = message.kind === 'text' ? message.text : message.kind === 'reply' ? message.title : null;
  if (text === null || text.trim() === '') return refuse(reasons[input]);
  return TEXT_VALIDATORS[input](text.trim(), options, reasons);
}

type Reasons = Record<AskInput, string> & {
  too_short: string;
  too_long: string;
  too_small: string;
  too_big: string;
  no_such_date: string;
  media_kind: string;
};

const REASONS: Record<FlowLanguage, Reasons> = {
  pt: {
    text: 'Escreva sua resposta em texto.',
    too_short: 'A resposta precisa ter pelo menos {n} caracteres.',
    too_long: 'A resposta pode ter no máximo {n} caracteres.',
    number: 'Digite um número, como 10 ou 1.234,56.',
    too_small: 'O número precisa ser pelo menos {n}.',
    too_big: 'O número pode ser no máximo {n}.',
    email: 'Esse e-mail não parece válido. Digite algo como nome@exemplo.com.',
    phone: 'Esse telefone não parece válido. Digite com DDD, como (11) 98888-7777.',
    cpf: 'Esse CPF não é válido. Confira os 11 números.',
    cnpj: 'Esse CNPJ não é válido. Confira os 14 caracteres.',
    cep: 'Esse CEP não é válido. Digite os 8 números, como 01310-100.',
    date: 'Não entendi a data. Digite como 25/12/2026.',
    no_such_date: 'Essa data não existe. Confira o dia e o mês.',
    time: 'Não entendi o horário. Digite como 14:30.',
    yes_no: 'Responda sim ou não.',
    choice: 'Escolha uma destas opções: {choices}.',
    media: 'Envie um arquivo.',
    media_kind: 'Envie um arquivo do tipo: {kinds}.',
    location: 'Envie uma localização (clipe › Localização).',
  },
  en: {
    text: 'Please write your answer as text.',
    too_short: 'The answer needs at least {n} characters.',
    too_long: 'The answer can have at most {n} characters.',
    number: 'Please type a number, like 10 or 1,234.56.',
    too_small: 'The number must be at least {n}.',
    too_big: 'The number can be at most {n}.',
    email: "That e-mail doesn't look right. Type something like name@example.com.",
    phone: "That phone number doesn't look right. Include the area code, like +1 415 555 0100.",
    cpf: 'That CPF is not valid. Check the 11 digits.',
    cnpj: 'That CNPJ is not valid. Check the 14 characters.',
    cep: 'That CEP is not valid. Type the 8 digits, like 01310-100.',
    date: "I didn't understand the date. Type it like 25/12/2026 (day/month/year).",
    no_such_date: "That date doesn't exist. Check the day and the month.",
    time: "I didn't understand the time. Type it like 14:30 or 2pm.",
    yes_no: 'Please answer yes or no.',
    choice: 'Please pick one of: {choices}.',
    media: 'Please send a file.',
    media_kind: 'Please send a file of type: {kinds}.',
    location: 'Please send a location (attach › Location).',
  },
  es: {
    text: 'Escribe tu respuesta como texto.',
    too_short: 'La respuesta necesita al menos {n} caracteres.',
    too_long: 'La respuesta puede tener como máximo {n} caracteres.',
    number: 'Escribe un número, como 10 o 1.234,56.',
    too_small: 'El número debe ser al menos {n}.',
    too_big: 'El número puede ser como máximo {n}.',
    email: 'Ese correo no parece válido. Escribe algo como nombre@ejemplo.com.',
    phone: 'Ese teléfono no parece válido. Incluye el código de área.',
    cpf: 'Ese CPF no es válido. Revisa los 11 números.',
    cnpj: 'Ese CNPJ no es válido. Revisa los 14 caracteres.',
    cep: 'Ese CEP no es válido. Escribe los 8 números, como 01310-100.',
    date: 'No entendí la fecha. Escríbela como 25/12/2026.',
    no_such_date: 'Esa fecha no existe. Revisa el día y el mes.',
    time: 'No entendí la hora. Escríbela como 14:30.',
    yes_no: 'Responde sí o no.',
    choice: 'Elige una de estas opciones: {choices}.',
    media: 'Envía un archivo.',
    media_kind: 'Envía un archivo de tipo: {kinds}.',
    location: 'Envía una ubicación (clip › Ubicación).',
  },
};

type TextValidator = (text: string, options: ValidateOptions, reasons: Reasons) => Validation;

const TEXT_VALIDATORS: Record<AskInput, TextValidator> = {
  text: (text, options, reasons) => {
    const length = [...text].length;
    if (options.min !== undefined && length < options.min) return refuse(reasons.too_short, { n: options.min });
    if (options.max !== undefined && length > options.max) return refuse(reasons.too_long, { n: options.max });
    return { ok: true, value: text };
  },
  number: (text, options, reasons) => {
    const value = parseNumber(text, options.language);
    if (value === null) return refuse(reasons.number);
    if (options.min !== undefined && value < options.min) return refuse(reasons.too_small, { n: options.min });
    if (options.max !== undefined && value > options.max) return refuse(reasons.too_big, { n: options.max });
    return { ok: true, value };
  },
  email: (text, _options, reasons) =>
    EMAIL.test(text) && text.length <= 254 ? { ok: true, value: text.toLowerCase() } : refuse(reasons.email),
  phone: (text, _options, reasons) => {
    const phone = normalizePhone(text, 'BR');
    return phone.ok ? { ok: true, value: phone.e164 } : refuse(reasons.phone);
  },
  cpf: (text, _options, reasons) => {
    if (!/^[\d.\s-]+$/.test(text)) return refuse(reasons.cpf);
    const digits = text.replace(/\D/g, '');
    return isCpf(digits) ? { ok: true, value: digits } : refuse(reasons.cpf);
  },
  cnpj: (text, _options, reasons) => {
    if (!/^[\dA-Za-z.\s/-]+$/.test(text)) return refuse(reasons.cnpj);
    const chars = text.replace(/[.\s/-]/g, '').toUpperCase();
    return isCnpj(chars) ? { ok: true, value: chars } : refuse(reasons.cnpj);
  },
  cep: (text, _options, reasons) => {
    if (!/^\d{2}\.?\d{3}-?\d{3}$/.test(text)) return refuse(reasons.cep);
    const digits = text.replace(/\D/g, '');
    return digits === '00000000' ? refuse(reasons.cep) : { ok: true, value: `${digits.slice(0, 5)}-${digits.slice(5)}` };
  },
  date: (text, options, reasons) => parseDate(text, options, reasons),
  time: (text, _options, reasons) => {
    const value = parseTime(text);
    return value === null ? refuse(reasons.time) : { ok: true, value };
  },
  yes_no: (text, _options, reasons) => {
    const answer = fold(text);
    if (YES.has(answer)) return { ok: true, value: true };
    if (NO.has(answer)) return { ok: true, value: false };
    return refuse(reasons.yes_no);
  },
  choice: (text, options, reasons) => {
    const choices = options.choices ?? [];
    const index = wholeNumber(text);
    if (index !== null && index >= 1 && index <= choices.length) return { ok: true, value: choices[index - 1] };
    const choice = matchUnique(text, choices, (c) => [c], { fuzzy: false });
    return choice === null ? refuse(reasons.choice, { choices: choices.join(', ') }) : { ok: true, value: choice };
  },
  media: (_text, _options, reasons) => refuse(reasons.media),
  location: (_text, _options, reasons) => refuse(reasons.location),
};

function validateMedia(message: CustomerMessage, options: ValidateOptions, reasons: Reasons): Validation {
  const kinds = options.media_types ?? [];
  if (message.kind !== 'media') return kinds.length > 0 ? refuse(reasons.media_kind, { kinds: kinds.join(', ') }) : refuse(reasons.media);
  if (kinds.length > 0 && !kinds.includes(message.media_type)) return refuse(reasons.media_kind, { kinds: kinds.join(', ') });
  return { ok: true, value: { media_type: message.media_type, media_id: message.media_id, caption: message.caption ?? null } };
}

function refuse(reason: string, values: Record<string, string | number> = {}): Validation {
  return { ok: false, reason: reason.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)) };
}

// A practical e-mail shape: local part of the usual characters, a domain with a dot, a TLD of letters.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/;

const YES = new Set(['sim', 's', 'yes', 'y', 'si', 'claro', 'ok', 'isso']);
const NO = new Set(['nao', 'n', 'no']);

/**
 * Reads a number as people type it. Both separators: the last one is the decimal point. Only
 * one kind: `1.234` and `1.234.567` are thousands in Portuguese and Spanish, `1,234` in English;
 * otherwise a single separator is the decimal point (`1234.5`, `1,5`).
 */
function parseNumber(text: string, language: FlowLanguage): number | null {
  const cleaned = text.replace(/^(?:r\$|us\$|\$|€|£)\s*/i, '').replace(/\s+/g, '');
  const match = /^([+-]?)([\d.,]+)$/.exec(cleaned);
  if (!match) return null;
  const sign = match[1] === '-' ? -1 : 1;
  const body = match[2] ?? '';
  if (!/\d/.test(body)) return null;
  const lastDot = body.lastIndexOf('.');
  const lastComma = body.lastIndexOf(',');
  let normalized: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const [decimal, group] = lastDot > lastComma ? ['.', ','] : [',', '.'];
    const [whole = '', fraction = ''] = body.split(decimal);
    if (body.split(decimal).length !== 2 || !groupedThousands(whole, group) || !/^\d+$/.test(fraction)) return null;
    normalized = `${whole.split(group).join('')}.${fraction}`;
  } else if (lastDot >= 0 || lastComma >= 0) {
    const separator = lastDot >= 0 ? '.' : ',';
    const thousandsSeparator = language === 'en' ? ',' : '.';
    if (separator === thousandsSeparator && groupedThousands(body, separator) && body.includes(separator)) {
      normalized = body.split(separator).join('');
    } else {
      const parts = body.split(separator);
      if (parts.length !== 2 || !/^\d*$/.test(parts[0] ?? '') || !/^\d+$/.test(parts[1] ?? '')) return null;
      normalized = `${parts[0] || '0'}.${parts[1]}`;
    }
  } else {
    normalized = body;
  }
  const value = sign * Number(normalized);
  return Number.isFinite(value) ? value : null;
}

function groupedThousands(whole: string, group: string): boolean {
  const parts = whole.split(group);
  if (parts.length === 1) return /^\d+$/.test(whole);
  return /^\d{1,3}$/.test(parts[0] ?? '') && parts.slice(1).every((part) => /^\d{3}$/.test(part));
}

function isCpf(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  const values = [...digits].map(Number);
  for (const length of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += (values[i] ?? 0) * (length + 1 - i);
    const check = ((sum * 10) % 11) % 10;
    if (check !== values[length]) return false;
  }
  return true;
}

/** Numeric CNPJs and the alphanumeric ones issued since July 2026 (letters count as their char code − 48). */
function isCnpj(chars: string): boolean {
  if (!/^[0-9A-Z]{12}\d{2}$/.test(chars) || /^(.)\1{13}$/.test(chars)) return false;
  const values = [...chars].map((char) => char.charCodeAt(0) - 48);
  for (const length of [12, 13]) {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += (values[i] ?? 0) * (((length - 1 - i) % 8) + 2);
    const rest = sum % 11;
    const check = rest < 2 ? 0 : 11 - rest;
    if (check !== values[length]) return false;
  }
  return true;
}

const RELATIVE_DAYS: Record<string, number> = { hoje: 0, today: 0, hoy: 0, amanha: 1, tomorrow: 1, manana: 1, ontem: -1, yesterday: -1, ayer: -1, 'depois de amanha': 2, 'pasado manana': 2 };

function parseDate(text: string, options: ValidateOptions, reasons: Reasons): Validation {
  const today = localDate(options.now, options.timeZone ?? DEFAULT_TIME_ZONE);
  const words = fold(text);
  const offset = RELATIVE_DAYS[words];
  if (offset !== undefined) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    return { ok: true, value: day.toISOString().slice(0, 10) };
  }
  let year: number;
  let month: number;
  let day: number;
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/.exec(text);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (dayFirst) {
    day = Number(dayFirst[1]);
    month = Number(dayFirst[2]);
    const written = dayFirst[3];
    year = written === undefined ? today.year : written.length === 2 ? 2000 + Number(written) : Number(written);
  } else {
    return refuse(reasons.date);
  }
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return refuse(reasons.no_such_date);
  return { ok: true, value: `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}` };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `instant` in `timeZone`. */
function localDate(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

function parseTime(text: string): string | null {
  const t = fold(text).replace(/\s+/g, '');
  let hour: number;
  let minute = 0;
  const twelve = /^(\d{1,2})(?:[:.h](\d{2}))?(am|pm|a\.m\.?|p\.m\.?)$/.exec(t);
  const clock = /^(\d{1,2})(?:[:h.](\d{2})(?::\d{2})?|h(?:s|rs|oras?)?)$/.exec(t);
  if (twelve) {
    hour = Number(twelve[1]);
    minute = Number(twelve[2] ?? 0);
    if (hour < 1 || hour > 12) return null;
    const pm = twelve[3]?.startsWith('p') === true;
    hour = (hour % 12) + (pm ? 12 : 0);
  } else if (clock) {
    hour = Number(clock[1]);
    minute = Number(clock[2] ?? 0);
  } else {
    return null;
  }
  if (hour > 23 || minute > 59) return null;
  return `${pad(hour)}:${pad(minute)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

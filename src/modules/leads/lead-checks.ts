import { validateAnswer } from '../chatbot/index.js';

/** The kinds of value Conversa can check; each one is also the `rule` of a field it found. */
export type CheckedKind = 'email' | 'phone' | 'cpf' | 'cnpj' | 'cep';

/** validateAnswer reads dates relative to `now`; none of the kinds here does, so any instant will do. */
const EPOCH = new Date(0);

/**
 * The chatbot's answer validators (src/modules/chatbot/engine/validators.ts) on one value:
 * the normalised value (e-mail lower-cased, phone E.164 with Brazil by default, CPF/CNPJ
 * digits after their check digits matched, CEP `01310-100`), or undefined when it fails.
 */
export function checkValue(kind: CheckedKind, text: string): string | undefined {
  const checked = validateAnswer(kind, { kind: 'text', text }, { language: 'pt', now: EPOCH });
  return checked.ok && typeof checked.value === 'string' ? checked.value : undefined;
}

/**
 * Whether passing `checkValue` makes a value certain. A CEP has no check digits: a well-formed
 * one may still not exist, so it is never more than possible.
 */
export function isVerifiable(kind: CheckedKind): boolean {
  return kind !== 'cep';
}

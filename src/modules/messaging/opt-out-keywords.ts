export type ConsentAction = 'opt_out' | 'opt_in';

/** Keyword lists per language code (`pt`, `en`, `es`, or a workspace's own such as `pt_BR`). */
export interface KeywordConfig {
  optOut: Readonly<Record<string, readonly string[]>>;
  optIn: Readonly<Record<string, readonly string[]>>;
}

export interface ConsentKeywordMatch {
  action: ConsentAction;
  /** The keyword as written in the config, e.g. `DESCADASTRAR`. */
  keyword: string;
  /** The config language the keyword was found under. */
  language: string;
}

/**
 * The keywords Conversa recognises unless a workspace configures its own. Opt-in (resume)
 * keywords deliberately leave out YES/SIM/SÍ: a bare "yes" is the most common answer to any
 * question a bot or agent asks ("Confirm your appointment?"), so it would silently re-subscribe
 * someone who opted out. A new opt-in has to be an unambiguous request, because it is the
 * proof of consent the ledger keeps.
 */
export const DEFAULT_CONSENT_KEYWORDS: KeywordConfig = {
  optOut: {
    pt: ['SAIR', 'PARAR', 'CANCELAR', 'DESCADASTRAR', 'STOP'],
    en: ['STOP', 'UNSUBSCRIBE', 'CANCEL', 'QUIT', 'END', 'OPT OUT', 'OPTOUT'],
    es: ['BAJA', 'PARAR', 'CANCELAR', 'SALIR', 'ALTO'],
  },
  optIn: {
    pt: ['VOLTAR', 'ASSINAR', 'START'],
    en: ['START', 'SUBSCRIBE', 'UNSTOP'],
    es: ['ALTA'],
  },
};

/**
 * Recognises a consent keyword when it is the whole message: trimmed, ignoring case, accents,
 * punctuation and emoji around it, and treating `-`/`_`/repeated spaces inside as one space
 * ("opt-out" = "OPT OUT"). Opt-out wins when a word is in both lists. When a keyword exists
 * in several languages (STOP, PARAR), the contact's `preferredLanguage` (e.g. `pt_BR`) decides;
 * otherwise the config's first language that has it.
 *
 * @example
 * matchConsentKeyword('  Descadastrar! 🙏'); // { action: 'opt_out', keyword: 'DESCADASTRAR', language: 'pt' }
 * matchConsentKeyword('stop sending me this'); // undefined: not the whole message
 */
export function matchConsentKeyword(
  text: string,
  keywords: KeywordConfig = DEFAULT_CONSENT_KEYWORDS,
  preferredLanguage?: string,
): ConsentKeywordMatch | undefined {
  if (text.length > MAX_KEYWORD_MESSAGE_LENGTH) return undefined;
  const normalized = normalizeKeywordText(text);
  if (normalized === '') return undefined;
  for (const [action, lists] of [['opt_out', keywords.optOut], ['opt_in', keywords.optIn]] as const) {
    for (const language of languagesInOrder(Object.keys(lists), preferredLanguage)) {
      const keyword = lists[language]?.find((k) => normalizeKeywordText(k) === normalized);
      if (keyword !== undefined) return { action, keyword, language };
    }
  }
  return undefined;
}

/**
 * The form keywords are compared in: accents and case removed, punctuation, symbols and emoji
 * trimmed from both ends, inner runs of spaces, `-` and `_` turned into one space.
 */
export function normalizeKeywordText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .replace(/[\s\-_]+/gu, ' ');
}

/** Confirmation texts per language; `{business}` is replaced with the business's name. */
export const CONSENT_CONFIRMATIONS: Readonly<Record<string, Readonly<Record<ConsentAction, string>>>> = {
  pt: {
    opt_out: 'Pronto! Você não receberá mais mensagens promocionais de {business}. Para voltar a receber, envie VOLTAR.',
    opt_in: 'Pronto! Você voltará a receber mensagens promocionais de {business}. Para parar, envie SAIR.',
  },
  en: {
    opt_out: "Done! You won't receive promotional messages from {business} anymore. To receive them again, send START.",
    opt_in: "Done! You'll receive promotional messages from {business} again. To stop, send STOP.",
  },
  es: {
    opt_out: '¡Listo! Ya no recibirás mensajes promocionales de {business}. Para volver a recibirlos, envía ALTA.',
    opt_in: '¡Listo! Volverás a recibir mensajes promocionales de {business}. Para dejar de recibirlos, envía BAJA.',
  },
};

/**
 * The confirmation to send after a consent keyword, in the keyword's language (exact code,
 * then its base such as `pt` for `pt_BR`), falling back to English.
 *
 * @example
 * consentConfirmationText('opt_out', 'pt', 'Loja Azul');
 * // 'Pronto! Você não receberá mais mensagens promocionais de Loja Azul. Para voltar a receber, envie VOLTAR.'
 */
export function consentConfirmationText(
  action: ConsentAction,
  language: string,
  business: string,
  texts: Readonly<Record<string, Readonly<Record<ConsentAction, string>>>> = CONSENT_CONFIRMATIONS,
): string {
  const template = texts[language]?.[action] ?? texts[baseLanguage(language)]?.[action] ?? texts.en?.[action] ?? CONSENT_CONFIRMATIONS.en?.[action] ?? '';
  return template.replaceAll('{business}', business);
}

/** Longer messages are sentences, not keywords; skip normalising them. */
const MAX_KEYWORD_MESSAGE_LENGTH = 64;

function baseLanguage(language: string): string {
  return language.split(/[_-]/)[0]?.toLowerCase() ?? language;
}

function languagesInOrder(languages: string[], preferred: string | undefined): string[] {
  if (!preferred) return languages;
  const rank = (l: string): number => (l === preferred ? 0 : baseLanguage(l) === baseLanguage(preferred) ? 1 : 2);
  return [...languages].sort((a, b) => rank(a) - rank(b));
}

import { describe, expect, it } from 'vitest';
import {
  CONSENT_CONFIRMATIONS,
  consentConfirmationText,
  DEFAULT_CONSENT_KEYWORDS,
  matchConsentKeyword,
  normalizeKeywordText,
  type KeywordConfig,
} from './opt-out-keywords.js';

describe('matchConsentKeyword', () => {
  it.each([
    ['SAIR', 'opt_out', 'SAIR', 'pt'],
    ['sair', 'opt_out', 'SAIR', 'pt'],
    ['  Sair  ', 'opt_out', 'SAIR', 'pt'],
    ['Descadastrar!', 'opt_out', 'DESCADASTRAR', 'pt'],
    ['parar.', 'opt_out', 'PARAR', 'pt'],
    ['STOP 🛑', 'opt_out', 'STOP', 'pt'],
    ['stop!!! 😡😡', 'opt_out', 'STOP', 'pt'],
    ['unsubscribe', 'opt_out', 'UNSUBSCRIBE', 'en'],
    ['Opt out', 'opt_out', 'OPT OUT', 'en'],
    ['opt-out', 'opt_out', 'OPT OUT', 'en'],
    ['OPT   OUT', 'opt_out', 'OPT OUT', 'en'],
    ['optout', 'opt_out', 'OPTOUT', 'en'],
    ['quit', 'opt_out', 'QUIT', 'en'],
    ['¡Baja!', 'opt_out', 'BAJA', 'es'],
    ['¡ALTO!', 'opt_out', 'ALTO', 'es'],
    ['sálir', 'opt_out', 'SALIR', 'es'],
    ['Voltar', 'opt_in', 'VOLTAR', 'pt'],
    ['assinar 👍', 'opt_in', 'ASSINAR', 'pt'],
    ['start', 'opt_in', 'START', 'pt'],
    ['Subscribe.', 'opt_in', 'SUBSCRIBE', 'en'],
    ['alta', 'opt_in', 'ALTA', 'es'],
  ])('%j → %s %s (%s)', (text, action, keyword, language) => {
    expect(matchConsentKeyword(text)).toEqual({ action, keyword, language });
  });

  it.each([
    'stop sending me this',
    'quero sair do grupo',
    'yes',
    'Sim',
    'stopp',
    '',
    '   ',
    '🛑',
    'cancelar meu pedido',
    's a i r',
    'x'.repeat(200),
  ])('does not match %j', (text) => {
    expect(matchConsentKeyword(text)).toBeUndefined();
  });

  it('uses the contact\'s language when a keyword is in several', () => {
    expect(matchConsentKeyword('PARAR', DEFAULT_CONSENT_KEYWORDS, 'es_MX')).toEqual({ action: 'opt_out', keyword: 'PARAR', language: 'es' });
    expect(matchConsentKeyword('stop', DEFAULT_CONSENT_KEYWORDS, 'en')).toEqual({ action: 'opt_out', keyword: 'STOP', language: 'en' });
    expect(matchConsentKeyword('START', DEFAULT_CONSENT_KEYWORDS, 'en_US')).toEqual({ action: 'opt_in', keyword: 'START', language: 'en' });
  });

  it('uses a workspace config instead of the defaults, opt-out winning a tie', () => {
    const config: KeywordConfig = { optOut: { pt: ['Não quero mais'] }, optIn: { pt: ['NAO QUERO MAIS', 'Quero promoções'] } };
    expect(matchConsentKeyword('nao quero mais!', config)).toEqual({ action: 'opt_out', keyword: 'Não quero mais', language: 'pt' });
    expect(matchConsentKeyword('QUERO PROMOCOES', config)).toEqual({ action: 'opt_in', keyword: 'Quero promoções', language: 'pt' });
    expect(matchConsentKeyword('SAIR', config)).toBeUndefined();
  });

  it('extends the defaults by spreading them', () => {
    const config: KeywordConfig = { ...DEFAULT_CONSENT_KEYWORDS, optOut: { ...DEFAULT_CONSENT_KEYWORDS.optOut, it: ['BASTA'] } };
    expect(matchConsentKeyword('basta', config)).toEqual({ action: 'opt_out', keyword: 'BASTA', language: 'it' });
    expect(matchConsentKeyword('sair', config)?.action).toBe('opt_out');
  });
});

describe('normalizeKeywordText', () => {
  it.each([
    ['  Não, obrigado!! ', 'NAO, OBRIGADO'],
    ['opt_out', 'OPT OUT'],
    ['«Cancelar»', 'CANCELAR'],
  ])('%j → %j', (text, expected) => expect(normalizeKeywordText(text)).toBe(expected));
});

describe('consentConfirmationText', () => {
  it('fills in the business name in the keyword language', () => {
    expect(consentConfirmationText('opt_out', 'pt', 'Loja Azul')).toBe(
      'Pronto! Você não receberá mais mensagens promocionais de Loja Azul. Para voltar a receber, envie VOLTAR.',
    );
    expect(consentConfirmationText('opt_in', 'es', 'Tienda Sol')).toContain('Tienda Sol');
  });

  it('falls back from pt_BR to pt and from unknown languages to English', () => {
    expect(consentConfirmationText('opt_out', 'pt_BR', 'X')).toBe(consentConfirmationText('opt_out', 'pt', 'X'));
    expect(consentConfirmationText('opt_in', 'de', 'X')).toBe(CONSENT_CONFIRMATIONS.en?.opt_in.replace('{business}', 'X'));
  });

  it('tells the contact the keyword that undoes the action, and that keyword works', () => {
    for (const [language, texts] of Object.entries(CONSENT_CONFIRMATIONS)) {
      const undoOptOut = /envie (\w+)|send (\w+)|envía (\w+)/.exec(texts.opt_out)?.slice(1).find(Boolean) ?? '';
      const undoOptIn = /envie (\w+)|send (\w+)|envía (\w+)/.exec(texts.opt_in)?.slice(1).find(Boolean) ?? '';
      expect(matchConsentKeyword(undoOptOut, DEFAULT_CONSENT_KEYWORDS, language)?.action, language).toBe('opt_in');
      expect(matchConsentKeyword(undoOptIn, DEFAULT_CONSENT_KEYWORDS, language)?.action, language).toBe('opt_out');
    }
  });
});

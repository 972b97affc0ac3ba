/** Languages the built-in opt-in texts are written in. */
export type OptInLanguage = 'pt' | 'en';

export const OPT_IN_LANGUAGES: readonly OptInLanguage[] = ['pt', 'en'];

/**
 * The consent text a person agrees to on Conversa's opt-in page. Meta's rule
 * (cloud-api-facts.md §4.5): it names the business and says the messages come on WhatsApp.
 * It also says how to stop, with a keyword the opt-out handler knows. The ledger records
 * this exact string, so changing the wording here changes it for future opt-ins only.
 *
 * @example optInConsentText('Padaria Pão Quente', 'pt')
 * // 'Quero receber mensagens de Padaria Pão Quente pelo WhatsApp, como novidades e ofertas. ...'
 */
export function optInConsentText(businessName: string, language: OptInLanguage): string {
  const name = businessName.trim();
  return language === 'pt'
    ? `Quero receber mensagens de ${name} pelo WhatsApp, como novidades e ofertas. Posso parar quando quiser respondendo SAIR.`
    : `I want to receive messages from ${name} on WhatsApp, such as news and offers. I can stop at any time by replying STOP.`;
}

/** The message a wa.me link pre-fills, unless the business writes its own. */
export function optInGreeting(businessName: string, language: OptInLanguage): string {
  const name = businessName.trim();
  return language === 'pt' ? `Olá! Quero receber novidades de ${name}.` : `Hi! I'd like to receive news from ${name}.`;
}

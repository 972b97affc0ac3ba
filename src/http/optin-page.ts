// The public opt-in page's HTML: the form, the thank-you page and short notices. Small,
// mobile-first, no script and no external asset, so it loads anywhere and its CSP can be strict.

import type { OptInLanguage } from '../modules/consent/index.js';
import { html, type SafeHtml } from './html.js';

/** Headers for every opt-in page: no script, no framing, posts only to ourselves. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

export type FormErrors = Partial<Record<'name' | 'phone' | 'consent' | 'form', string>>;

export interface FormView {
  language: OptInLanguage;
  business: string;
  consentText: string;
  /** Fingerprint of the consent text shown, posted back to prove the same text was agreed to. */
  textVersion: string;
  /** Where the form posts: the page's own path and query. */
  action: string;
  /** What was typed, shown again with the errors; `consent` only if ticked for this same text. */
  values?: { name?: string; phone?: string; consent?: boolean };
  errors?: FormErrors;
  /** Example of how to write a number in the business's country. */
  phoneHint: string;
}

const WORDS = {
  pt: {
    title: (business: string) => `Receba novidades de ${business} no WhatsApp`,
    intro: (business: string) => `Deixe seu número para receber mensagens de ${business} pelo WhatsApp.`,
    name: 'Seu nome',
    phone: 'Seu número de WhatsApp',
    submit: 'Quero receber',
    problems: 'Confira o formulário:',
    thanks: (name: string) => (name ? `Obrigado, ${name}!` : 'Obrigado!'),
    done: (business: string, phone: string) => `Você vai receber mensagens de ${business} no WhatsApp, no número ${phone}. Para parar, é só responder SAIR.`,
    openChat: 'Abrir conversa no WhatsApp',
  },
  en: {
    title: (business: string) => `Get news from ${business} on WhatsApp`,
    intro: (business: string) => `Leave your number to receive messages from ${business} on WhatsApp.`,
    name: 'Your name',
    phone: 'Your WhatsApp number',
    submit: 'Sign me up',
    problems: 'Please check the form:',
    thanks: (name: string) => (name ? `Thank you, ${name}!` : 'Thank you!'),
    done: (business: string, phone: string) => `You will receive messages from ${business} on WhatsApp at ${phone}. To stop, just reply STOP.`,
    openChat: 'Open the chat on WhatsApp',
  },
} as const;

/** Messages for bad input, by language; the form shows them next to the field. */
export const FORM_MESSAGES = {
  pt: {
    phoneMissing: 'Informe seu número de WhatsApp.',
    phoneInvalid: 'Esse número não parece válido: confira o DDD e os dígitos (de outro país, comece com + e o código do país).',
    consentMissing: 'Marque a caixa para confirmar que quer receber mensagens.',
    nameTooLong: 'O nome pode ter até 100 caracteres.',
    textChanged: 'O texto do consentimento mudou desde que a página foi aberta. Leia e confirme de novo.',
    tooMany: (seconds: number) => `Muitas tentativas deste endereço. Tente de novo em ${seconds} segundos.`,
    notFound: 'Esta página de cadastro não existe.',
    failed: 'Algo deu errado do nosso lado. Tente de novo em instantes.',
    badRequest: 'Não foi possível ler o formulário. Tente de novo.',
  },
  en: {
    phoneMissing: 'Enter your WhatsApp number.',
    phoneInvalid: 'This number does not look valid: check the area code and digits (from another country, start with + and the country code).',
    consentMissing: 'Tick the box to confirm you want to receive messages.',
    nameTooLong: 'The name can be up to 100 characters.',
    textChanged: 'The consent text changed since the page was opened. Please read it and confirm again.',
    tooMany: (seconds: number) => `Too many attempts from this address. Try again in ${seconds} seconds.`,
    notFound: 'This sign-up page does not exist.',
    failed: 'Something went wrong on our side. Please try again in a moment.',
    badRequest: 'The form could not be read. Please try again.',
  },
} as const;

/** The sign-up form, with the consent text next to its checkbox and any errors inline. */
export function renderOptInForm(view: FormView): string {
  const words = WORDS[view.language];
  const errors = view.errors ?? {};
  const problems = Object.values(errors).filter((message): message is string => Boolean(message));
  const field = (key: 'name' | 'phone' | 'consent') => (errors[key] ? html` aria-invalid="true" aria-describedby="${key}-error"` : html``);
  const error = (key: 'name' | 'phone' | 'consent') => (errors[key] ? html`<p class="error" id="${key}-error">${errors[key]}</p>` : html``);
  const body = html`
    <h1>${words.title(view.business)}</h1>
    <p>${words.intro(view.business)}</p>
    ${problems.length > 0 ? html`<div class="problems" role="alert"><p>${words.problems}</p><ul>${problems.map((message) => html`<li>${message}</li>`)}</ul></div>` : html``}
    <form method="post" action="${view.action}">
      <label for="name">${words.name}</label>
      <input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="${view.values?.name ?? ''}"${field('name')}>
      ${error('name')}
      <label for="phone">${words.phone}</label>
      <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required maxlength="32" placeholder="${view.phoneHint}" value="${view.values?.phone ?? ''}"${field('phone')}>
      ${error('phone')}
      <div class="hp" aria-hidden="true"><label for="website">Website</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
      <input type="hidden" name="text_version" value="${view.textVersion}">
      <label class="consent"><input type="checkbox" name="consent" value="yes" required${view.values?.consent ? html` checked` : html``}${field('consent')}> <span>${view.consentText}</span></label>
      ${error('consent')}
      <button type="submit">${words.submit}</button>
    </form>`;
  return layout(view.language, words.title(view.business), body);
}

/** After a successful sign-up: what was agreed, and a link to start the chat. */
export function renderThankYou(view: { language: OptInLanguage; business: string; name: string; phone: string; waMeUrl: string | undefined }): string {
  const words = WORDS[view.language];
  const body = html`
    <h1>${words.thanks(view.name)}</h1>
    <p>${words.done(view.business, view.phone)}</p>
    ${view.waMeUrl ? html`<p><a class="button" href="${view.waMeUrl}">${words.openChat}</a></p>` : html``}`;
  return layout(view.language, words.thanks(view.name), body);
}

/** A page with one sentence: not found, too many attempts, something failed. */
export function renderNotice(language: OptInLanguage, message: string): string {
  return layout(language, message, html`<p class="notice">${message}</p>`);
}

function layout(language: OptInLanguage, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${language === 'pt' ? 'pt-BR' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>
`.toString();
}

const STYLE = html`
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f0f2f5;color:#111b21}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem;background:#fff;min-height:100vh}
h1{font-size:1.4rem;line-height:1.25;margin:0 0 .75rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=tel]{width:100%;font-size:1.1rem;padding:.7rem;border:1px solid #8696a0;border-radius:.5rem}
input[aria-invalid=true]{border-color:#b3261e;border-width:2px}
.consent{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;margin-top:1.25rem}
.consent input{width:1.4rem;height:1.4rem;flex:none;margin:.1rem 0 0}
button,.button{display:block;width:100%;margin-top:1.5rem;padding:.9rem;font-size:1.1rem;font-weight:600;text-align:center;text-decoration:none;color:#fff;background:#008069;border:0;border-radius:1.5rem;cursor:pointer}
.error{color:#b3261e;margin:.25rem 0 0;font-size:.95rem}
.problems{border-left:4px solid #b3261e;background:#fdecea;padding:.5rem .75rem;margin:1rem 0}
.problems p,.problems ul{margin:.25rem 0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
`;

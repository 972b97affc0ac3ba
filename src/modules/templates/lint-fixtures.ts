/**
 * Small named builders for the template tests (lint and preview). Test-only: nothing else
 * imports this file.
 */
import type { CreateTemplateRequest, TemplateComponentDefinition } from '../../whatsapp/index.js';
import type { LintProblem } from './lint-problem.js';

export type Component = TemplateComponentDefinition;
export type Button = NonNullable<Component['buttons']>[number];

export const header = (text: string, values?: string[]): Component => ({ type: 'HEADER', format: 'TEXT', text, ...(values ? { example: { header_text: values } } : {}) });
export const body = (text: string, values?: string[]): Component => ({ type: 'BODY', text, ...(values ? { example: { body_text: [values] } } : {}) });
export const namedBody = (text: string, examples: Record<string, string>): Component => ({
  type: 'BODY',
  text,
  example: { body_text_named_params: Object.entries(examples).map(([param_name, example]) => ({ param_name, example })) },
});
export const footer = (text: string): Component => ({ type: 'FOOTER', text });
export const buttons = (...list: Button[]): Component => ({ type: 'BUTTONS', buttons: list });
export const quickReply = (text: string): Button => ({ type: 'QUICK_REPLY', text });
export const urlButton = (text: string, url: string, example?: string): Button => ({ type: 'URL', text, url, ...(example ? { example: [example] } : {}) });
export const phoneButton = (text: string, phone_number = '+5511987654321'): Button => ({ type: 'PHONE_NUMBER', text, phone_number });
export const copyCode = (example?: string): Button => ({ type: 'COPY_CODE', ...(example !== undefined ? { example } : {}) });
export const otp = (otp_type = 'COPY_CODE', extra: Partial<Button> = {}): Button => ({ type: 'OTP', otp_type, text: 'Copiar código', ...extra });

export const utility = (...components: Component[]): CreateTemplateRequest => ({ name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY', components });
export const marketing = (...components: Component[]): CreateTemplateRequest => ({ name: 'black_friday', language: 'pt_BR', category: 'MARKETING', components });
export const named = (...components: Component[]): CreateTemplateRequest => ({ ...utility(...components), parameter_format: 'NAMED' });
export const authentication = (...components: Component[]): CreateTemplateRequest => ({ name: 'codigo_verificacao', language: 'pt_BR', category: 'AUTHENTICATION', components });

export const BODY_TEXT = 'Olá {{1}}! 📦 Seu pedido {{2}} saiu para entrega e chega até {{3}}. Acompanhe pelo botão abaixo.';
export const BODY_VALUES = ['Ana', '#4521', 'sexta-feira'];
export const okBody = (): Component => body(BODY_TEXT, BODY_VALUES);

/** The positional utility template every rule test starts from: no problems at all. */
export const orderShipped = (): CreateTemplateRequest =>
  utility(
    header('Pedido {{1}} a caminho', ['#4521']),
    okBody(),
    footer('Responda SAIR para não receber mais'),
    buttons(
      urlButton('Acompanhar pedido', 'https://loja.example/pedidos/{{1}}', 'https://loja.example/pedidos/4521'),
      phoneButton('Ligar para a loja'),
      quickReply('Falar com atendente'),
      quickReply('Não reconheço'),
    ),
  );

export const appointmentReminder = (): CreateTemplateRequest =>
  named(
    { type: 'HEADER', format: 'TEXT', text: 'Consulta de {{nome}}', example: { header_text_named_params: [{ param_name: 'nome', example: 'João' }] } },
    namedBody('Oi {{nome}}, sua consulta com {{medico}} é amanhã às {{horario}}. Responda para confirmar ou remarcar.', { nome: 'João', medico: 'Dra. Márcia', horario: '14h30' }),
  );

export const blackFriday = (): CreateTemplateRequest =>
  marketing(
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARb'] } },
    body('Oi {{1}}, a Black Friday chegou! 🎉 Use o cupom abaixo e ganhe 20% de desconto em toda a loja até domingo.', ['Carla']),
    footer('Ofertas válidas enquanto durarem os estoques'),
    buttons(copyCode('BLACK20'), urlButton('Ver ofertas', 'https://loja.example/black-friday')),
  );

export const verificationCode = (): CreateTemplateRequest =>
  authentication({ type: 'BODY', add_security_recommendation: true }, { type: 'FOOTER', code_expiration_minutes: 10 }, buttons(otp()));

/** The range of the `occurrence`-th `part` in `text`, as `at` reports it. */
export function span(text: string, part: string, occurrence = 1): { start: number; end: number } {
  let start = -1;
  for (let i = 0; i < occurrence; i += 1) start = text.indexOf(part, start + 1);
  if (start < 0) throw new Error(`"${part}" not found ${occurrence} time(s) in "${text}"`);
  return { start, end: start + part.length };
}

/** A problem reduced to what the tests compare: rule, path and, when present, the range. */
export function place(problem: LintProblem): { rule: string; path: string; at?: { start: number; end: number } } {
  return { rule: problem.rule, path: problem.path, ...(problem.at ? { at: problem.at } : {}) };
}

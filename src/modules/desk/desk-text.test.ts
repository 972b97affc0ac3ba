import { describe, expect, it } from 'vitest';
import { lintCannedText, renderCannedText, type CannedContext } from './canned-variables.js';
import { checkLabels } from './labels.js';
import { resolveMentions } from './mentions.js';

const people = [
  { id: 'usr_ana', email: 'ana.silva@padaria.test', name: 'Ana Silva' },
  { id: 'usr_bia', email: 'bia@padaria.test', name: 'Bia' },
  { id: 'usr_bia2', email: 'bia@outra.test', name: 'Bia Dois' },
];

describe('resolveMentions', () => {
  it('finds local parts and explicit ids, once each, in order; leaves the rest as text', () => {
    expect(resolveMentions('@ana.silva, veja. @[Bia Dois](usr_bia2) e @ana.silva de novo', people)).toEqual(['usr_ana', 'usr_bia2']);
    expect(resolveMentions('fim de frase @Ana.Silva.', people)).toEqual(['usr_ana']);
    // An address, a stranger, an id of nobody here, a local part two people share.
    expect(resolveMentions('mail ana.silva@padaria.test, @joao, @[Eve](usr_eve), @bia', people)).toEqual([]);
  });
});

describe('canned replies', () => {
  const context: CannedContext = {
    contact: { name: 'Maria Souza', wa_id: '5511999990001', phone: '+5511999990001', attributes: { cidade: 'Campinas' } },
    agent: { name: 'Ana Silva', email: 'ana@x.test' },
    conversation: { queue: 'suporte' },
    botVars: { pedido: 4471, tem: true, lista: ['a'] },
  };

  it('refuses unknown variables and stray braces, naming them', () => {
    expect(lintCannedText('Olá {{ contact.first_name }}, {{contact.attributes.cidade}} {{bot.vars.pedido}}')).toBeUndefined();
    expect(lintCannedText('Olá {{pedido}}')).toBe('pedido');
    expect(lintCannedText('{{contact.constructor}}')).toBe('contact.constructor');
    expect(lintCannedText('{{ 7*7 }}')).toBe('7*7');
    expect(lintCannedText('aberto {{contact.name')).toContain('{{');
  });

  it('fills variables from plain data, never evaluating or expanding twice', () => {
    expect(renderCannedText('Oi {{contact.first_name}} de {{contact.attributes.cidade}}, pedido {{bot.vars.pedido}} ({{bot.vars.lista}}) — {{agent.first_name}}, {{conversation.queue}}', context)).toEqual({
      text: 'Oi Maria de Campinas, pedido 4471 (["a"]) — Ana, suporte',
      missing: [],
    });
    const tricky = { ...context, contact: { ...context.contact, name: '{{agent.email}}', attributes: {} } };
    expect(renderCannedText('{{contact.name}} {{contact.attributes.__proto__}} {{bot.vars.toString}}', tricky)).toEqual({ text: '{{agent.email}}  ', missing: ['contact.attributes.__proto__', 'bot.vars.toString'] });
  });
});

describe('checkLabels', () => {
  it('trims, keeps one spelling per label, and names the bad one', () => {
    expect(checkLabels(['  VIP ', 'vip', 'Entrega'])).toEqual({ ok: true, labels: ['VIP', 'Entrega'] });
    expect(checkLabels(['ok', '   '])).toEqual({ ok: false, field: 'labels.1', rule: 'must not be empty (after trimming spaces)' });
    expect(checkLabels(['x'.repeat(41)])).toMatchObject({ ok: false, field: 'labels.0' });
    expect(checkLabels(Array.from({ length: 21 }, (_, i) => `l${i}`))).toMatchObject({ ok: false, field: 'labels' });
  });
});

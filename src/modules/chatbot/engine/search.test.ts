import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../document/index.js';
import { buildCatalogSearch, catalogTerm } from './search.js';

/** A pt-BR store's FAQ, as a flow's `catalogs.faq`. */
const FAQ: CatalogItem[] = [
  { id: 'delivery-time', title: 'Prazo de entrega', description: 'Quanto tempo leva para o pedido chegar', keywords: ['frete', 'envio'], answer: 'Entregamos em até 5 dias úteis nas capitais.' },
  { id: 'delivery-areas', title: 'Regiões atendidas', description: 'Cidades e estados onde fazemos entrega', answer: 'Atendemos todo o Brasil pelos Correios.' },
  { id: 'pix', title: 'Pagamento por Pix', description: 'Pague com Pix e receba a confirmação na hora', keywords: ['pix', 'qr code', 'chave'], answer: 'Nossa chave Pix é o CNPJ da loja.' },
  { id: 'cards', title: 'Cartão de crédito', description: 'Bandeiras aceitas e parcelamento em até 12 vezes', keywords: ['visa', 'mastercard', 'elo', 'parcelas'], answer: 'Aceitamos Visa, Mastercard e Elo.' },
  { id: 'boleto', title: 'Boleto bancário', description: 'Pagamento por boleto com vencimento em 3 dias', keywords: ['boleto'], answer: 'O boleto vence em 3 dias.' },
  { id: 'exchange', title: 'Trocas e devoluções', description: 'Como trocar ou devolver um produto em até 30 dias', keywords: ['troca', 'devolução', 'arrependimento'], answer: 'Você tem 30 dias para trocar.' },
  { id: 'warranty', title: 'Garantia dos produtos', description: 'Todos os aparelhos têm um ano de garantia', keywords: ['defeito', 'conserto'], answer: 'Garantia de 12 meses.' },
  { id: 'hours', title: 'Horário de atendimento', description: 'Segunda a sábado, das 8h às 20h', keywords: ['funcionamento', 'abre', 'fecha'], answer: 'Atendemos de segunda a sábado, das 8h às 20h.' },
  { id: 'stores', title: 'Lojas físicas', description: 'Endereços das nossas lojas em São Paulo', keywords: ['endereço', 'shopping'], answer: 'Estamos nos shoppings Ibirapuera e Morumbi.' },
  { id: 'order-status', title: 'Acompanhar pedido', description: 'Rastreie seu pedido com o código enviado por e-mail', keywords: ['rastreio', 'rastrear', 'status'], answer: 'Use o código de rastreio no site dos Correios.' },
  { id: 'cancel', title: 'Cancelar pedido', description: 'Cancelamento antes do envio sem custo', keywords: ['cancelamento', 'desistir'], answer: 'Cancele pelo site até o envio.' },
  { id: 'invoice', title: 'Nota fiscal', description: 'Segunda via da nota fiscal eletrônica', keywords: ['nf-e', 'nfe', 'danfe'], answer: 'A nota vai por e-mail.' },
  { id: 'gift', title: 'Embalagem para presente', description: 'Papéis de presente e cartões com mensagem', keywords: ['presente', 'mensagem'], answer: 'Custa R$ 5,00.' },
  { id: 'coupons', title: 'Cupons de desconto', description: 'Como usar promoções e cupons', keywords: ['cupom', 'promoção', 'desconto'], answer: 'Digite o cupom no carrinho.' },
  { id: 'account', title: 'Minha conta', description: 'Cadastro, senha e dados pessoais', keywords: ['login', 'senha', 'cadastro'], answer: 'Recupere a senha pelo site.' },
];

const search = buildCatalogSearch({ faq: FAQ, empty: [] });
const ids = (query: string, limit = 5) => search('faq', query, limit).map((result) => result.id);

describe('catalogue search', () => {
  it('finds the singular from the plural ("entregas" → entrega)', () => {
    expect(ids('entregas')[0]).toBe('delivery-time');
    expect(ids('entregas')).toContain('delivery-areas');
  });

  it('finds "cartão" from "cartões" and "cartoes", and the reverse', () => {
    expect(ids('cartões')[0]).toBe('cards');
    expect(ids('cartoes')[0]).toBe('cards');
    // "cartões com mensagem" is in the gift description: the singular finds it too.
    expect(ids('cartao de presente')).toEqual(expect.arrayContaining(['gift', 'cards']));
  });

  it('ranks the item matching every word first ("pagamento pix")', () => {
    const results = search('faq', 'pagamento pix', 5);
    expect(results[0]?.id).toBe('pix');
    expect(results.map((result) => result.id)).toContain('boleto');
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
  });

  it('ignores accents and case on both sides', () => {
    expect(ids('HORARIO')[0]).toBe('hours');
    expect(ids('devolucao')[0]).toBe('exchange');
    expect(ids('promoção')[0]).toBe('coupons');
    expect(ids('promocoes')[0]).toBe('coupons');
  });

  it('folds other Portuguese plurals', () => {
    expect(ids('lojas')[0]).toBe('stores');
    expect(ids('regiao atendida')[0]).toBe('delivery-areas');
    expect(ids('papel de presente')[0]).toBe('gift');
    expect(ids('notas fiscais')[0]).toBe('invoice');
    expect(ids('cupom')[0]).toBe('coupons');
  });

  it('forgives a typo and a word cut short', () => {
    expect(ids('garamtia')[0]).toBe('warranty');
    expect(ids('cancela')[0]).toBe('cancel');
    expect(ids('rastrei meu pedido')[0]).toBe('order-status');
  });

  it('finds nothing for nonsense, stop words alone, an empty query or an unknown catalogue', () => {
    expect(search('faq', 'xyzzy plugh', 5)).toEqual([]);
    expect(search('faq', 'de para o a com', 5)).toEqual([]);
    expect(search('faq', '   ', 5)).toEqual([]);
    expect(search('nope', 'pix', 5)).toEqual([]);
    expect(search('empty', 'pix', 5)).toEqual([]);
  });

  it('respects the limit', () => {
    expect(search('faq', 'pedido entrega pagamento', 2)).toHaveLength(2);
    expect(search('faq', 'pedido entrega pagamento', 0)).toEqual([]);
    expect(search('faq', 'pedido', 100).length).toBeLessThanOrEqual(FAQ.length);
  });

  it('indexes a repeated id once', () => {
    const twice = buildCatalogSearch({ c: [{ id: 'a', title: 'Pix' }, { id: 'a', title: 'Pix de novo' }, { id: 'b', title: 'Boleto' }] });
    expect(twice('c', 'pix', 5).map((result) => result.id)).toEqual(['a']);
  });

  it('answers a very long message quickly, searching its first words', () => {
    const started = performance.now();
    const results = search('faq', `pix ${'palavrasemsentido '.repeat(250)}`, 5);
    expect(performance.now() - started).toBeLessThan(200);
    expect(results[0]?.id).toBe('pix');
  });
});

describe('catalogTerm', () => {
  it.each([
    ['Cartões', 'cartao'],
    ['cartão', 'cartao'],
    ['pães', 'pao'],
    ['irmãos', 'irmao'],
    ['animais', 'animal'],
    ['papéis', 'papel'],
    ['faróis', 'farol'],
    ['itens', 'item'],
    ['flores', 'flor'],
    ['flor', 'flor'],
    ['luzes', 'luz'],
    ['meses', 'mes'],
    ['clientes', 'client'],
    ['cliente', 'client'],
    ['entregas', 'entrega'],
    ['classe', 'class'],
    ['classes', 'class'],
  ])('pt %s → %s', (word, stem) => {
    expect(catalogTerm(word, 'pt')).toBe(stem);
  });

  it.each([
    ['es', 'ciudades', 'ciudad'],
    ['es', 'ciudad', 'ciudad'],
    ['es', 'canciones', 'cancion'],
    ['es', 'luces', 'luz'],
    ['en', 'companies', 'company'],
    ['en', 'boxes', 'box'],
    ['en', 'shoes', 'sho'],
    ['en', 'shoe', 'sho'],
    ['en', 'address', 'address'],
  ] as const)('%s %s → %s', (language, word, stem) => {
    expect(catalogTerm(word, language)).toBe(stem);
  });

  it('drops stop words and keeps short words and numbers as they are', () => {
    for (const word of ['de', 'da', 'do', 'para', 'o', 'a', 'os', 'as', 'um', 'uma', 'the', 'of', 'el', 'los']) expect(catalogTerm(word)).toBeNull();
    expect(catalogTerm('pix')).toBe('pix');
    expect(catalogTerm('2024s')).toBe('2024s');
  });
});

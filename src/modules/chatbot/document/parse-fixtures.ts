/**
 * A complete flow that uses every trigger and every step type, as a business would write it,
 * and the normalised document `parseFlowDocument` must answer for it. Used by parse.test.ts and
 * by the CLI test.
 */
import type { FlowDocument } from './types.js';

export const COMPLETE_FLOW_YAML = `# Every trigger and every step type.
name: loja-suporte
description: Atendimento da loja
triggers:
  - type: keyword
    keywords: [oi, olá, menu]
  - type: pattern
    pattern: '^pedido\\s*#?\\d+$'
  - type: intent
    intents: pedido.status
  - type: any
  - type: payload
    payloads: [confirmar, remarcar]
  - type: referral
  - type: new_contact
  - type: welcome
  - type: api
  - type: resolved
variables:
  tentativas: 0
  cliente: null
settings:
  session_timeout: 2h
  nlu_threshold: 0.6
  texts:
    handoff: Já chamo alguém da equipe!
intents:
  - name: pedido.status
    phrases: [onde está meu pedido, status do pedido, rastrear pedido]
  - name: atendente
    phrases:
      pt: [falar com atendente, quero uma pessoa]
      en: [talk to a human]
    global: true
    action: handoff
    title: Atendente
  - name: voltar
    phrases: [voltar, menu principal]
    global: true
    goto: menu
catalogs:
  faq:
    - id: prazo
      title: Prazo de entrega
      description: Quanto tempo leva
      answer: "{{item.title}}: de 3 a 5 dias úteis."
      keywords: [entrega, prazo]
      data: { dias: 5 }
steps:
  - id: lembrete
    type: send_template
    template:
      name: lembrete_consulta
      language: pt_BR
      components:
        - type: body
          parameters: [{ type: text, text: "{{contact.name}}" }]
  - id: boas_vindas
    type: send
    text: Olá, {{contact.name}}!
  - id: foto
    type: send
    image: { link: "https://loja.example/banner.png", caption: Novidades }
  - id: menu
    type: menu
    header: Loja
    text: Como posso ajudar?
    footer: Escolha uma opção
    var: escolha
    options:
      - Pedidos
      - title: Dúvidas
        id: duvidas
        synonyms: [faq, pergunta]
        goto: buscar
      - title: Atendente
        goto: humano
        value: pessoa
    on_fail: humano
  - id: pedir_numero
    type: ask
    text: Qual o número do pedido?
    input: number
    var: pedido
    min: 1
    max: 999999
    max_tries: 2
    on_fail: humano
    retry_text: "{{reason}} Digite só os números."
  - id: contar
    type: set
    values:
      tentativas: vars.tentativas + 1
      origem: "'whatsapp'"
      limite: 3
  - id: consultar
    type: http
    method: POST
    url: https://api.loja.example/pedidos/{{vars.pedido}}
    headers:
      Authorization: Bearer {{secrets.LOJA_TOKEN}}
    body: { canal: whatsapp, pedido: "{{vars.pedido}}" }
    timeout: 5s
    retries: 2
    save:
      status_pedido: body.status
      http_status: status
    on_error: humano
  - id: decidir
    type: condition
    branches:
      - if: vars.status_pedido = 'entregue'
        goto: pesquisa
      - if: vars.escolha = 'pessoa'
        goto: outro_fluxo
    else: aguardar
  - id: aguardar
    type: wait
    duration: 1h
    next: intencao
  - id: intencao
    type: intent
    text: Posso ajudar em algo mais?
    routes:
      pedido.status: pedir_numero
    fallback: humano
  - id: buscar
    type: search
    catalog: faq
    text: Encontrei isto
    var: resposta
    max_results: 3
    on_empty: humano
  - id: formulario
    type: form
    form: contato
    fields: [pedido, escolha]
  - id: pesquisa
    type: survey
    kind: csat
    text: De 1 a 5, como foi o atendimento?
    comment: true
    comment_text: Quer deixar um comentário?
    thanks: Obrigado!
  - id: fim
    type: end
    text: Até logo!
  - id: outro_fluxo
    type: goto
    flow: vendas
  - id: humano
    type: handoff
    queue: suporte
    text: Vou chamar uma pessoa.
    summary: [pedido, escolha]
`;

export const COMPLETE_FLOW: FlowDocument = {
  format: 1,
  name: 'loja-suporte',
  description: 'Atendimento da loja',
  language: 'pt',
  triggers: [
    { type: 'keyword', keywords: ['oi', 'olá', 'menu'] },
    { type: 'pattern', pattern: '^pedido\\s*#?\\d+$' },
    { type: 'intent', intents: ['pedido.status'] },
    { type: 'any' },
    { type: 'payload', payloads: ['confirmar', 'remarcar'] },
    { type: 'referral', source_ids: [] },
    { type: 'new_contact' },
    { type: 'welcome' },
    { type: 'api' },
    { type: 'resolved' },
  ],
  variables: { tentativas: 0, cliente: null },
  settings: {
    session_timeout_ms: 7_200_000,
    nlu_threshold: 0.6,
    max_misses: 2,
    default_queue: 'support',
    texts: {
      invalid: 'Não consegui usar essa resposta: {{reason}}',
      did_you_mean: 'Não entendi bem. Você quis dizer…?',
      handoff: 'Já chamo alguém da equipe!',
      timeout: 'Encerramos a conversa por falta de resposta. Se precisar, é só escrever de novo.',
      list_button: 'Ver opções',
      more: 'Mais opções',
    },
  },
  intents: [
    { name: 'pedido.status', phrases: { pt: ['onde está meu pedido', 'status do pedido', 'rastrear pedido'] }, global: false },
    { name: 'atendente', phrases: { pt: ['falar com atendente', 'quero uma pessoa'], en: ['talk to a human'] }, global: true, action: 'handoff', title: 'Atendente' },
    { name: 'voltar', phrases: { pt: ['voltar', 'menu principal'] }, global: true, goto: 'menu' },
  ],
  catalogs: {
    faq: [{ id: 'prazo', title: 'Prazo de entrega', description: 'Quanto tempo leva', answer: '{{item.title}}: de 3 a 5 dias úteis.', keywords: ['entrega', 'prazo'], data: { dias: 5 } }],
  },
  start: 'lembrete',
  steps: [
    { id: 'lembrete', type: 'send_template', template: { name: 'lembrete_consulta', language: 'pt_BR', components: [{ type: 'body', parameters: [{ type: 'text', text: '{{contact.name}}' }] }] } },
    { id: 'boas_vindas', type: 'send', message: { type: 'text', text: { body: 'Olá, {{contact.name}}!' } } },
    { id: 'foto', type: 'send', message: { type: 'image', image: { link: 'https://loja.example/banner.png', caption: 'Novidades' } } },
    {
      id: 'menu',
      type: 'menu',
      text: 'Como posso ajudar?',
      header: 'Loja',
      footer: 'Escolha uma opção',
      options: [
        { id: 'opt_1', title: 'Pedidos', synonyms: [] },
        { id: 'duvidas', title: 'Dúvidas', synonyms: ['faq', 'pergunta'], goto: 'buscar' },
        { id: 'opt_3', title: 'Atendente', synonyms: [], goto: 'humano', value: 'pessoa' },
      ],
      var: 'escolha',
      max_tries: 3,
      on_fail: 'humano',
    },
    { id: 'pedir_numero', type: 'ask', text: 'Qual o número do pedido?', input: 'number', var: 'pedido', min: 1, max: 999999, max_tries: 2, on_fail: 'humano', retry_text: '{{reason}} Digite só os números.' },
    { id: 'contar', type: 'set', values: { tentativas: 'vars.tentativas + 1', origem: "'whatsapp'", limite: '3' } },
    {
      id: 'consultar',
      type: 'http',
      method: 'POST',
      url: 'https://api.loja.example/pedidos/{{vars.pedido}}',
      headers: { Authorization: 'Bearer {{secrets.LOJA_TOKEN}}' },
      body: { canal: 'whatsapp', pedido: '{{vars.pedido}}' },
      timeout_ms: 5000,
      retries: 2,
      save: { status_pedido: 'body.status', http_status: 'status' },
      on_error: 'humano',
    },
    {
      id: 'decidir',
      type: 'condition',
      branches: [
        { if: "vars.status_pedido = 'entregue'", goto: 'pesquisa' },
        { if: "vars.escolha = 'pessoa'", goto: 'outro_fluxo' },
      ],
      else: 'aguardar',
    },
    { id: 'aguardar', type: 'wait', duration_ms: 3_600_000, next: 'intencao' },
    { id: 'intencao', type: 'intent', text: 'Posso ajudar em algo mais?', routes: { 'pedido.status': 'pedir_numero' }, fallback: 'humano' },
    { id: 'buscar', type: 'search', catalog: 'faq', query: '{{input}}', text: 'Encontrei isto', var: 'resposta', max_results: 3, on_empty: 'humano' },
    { id: 'formulario', type: 'form', form: 'contato', fields: ['pedido', 'escolha'] },
    { id: 'pesquisa', type: 'survey', kind: 'csat', text: 'De 1 a 5, como foi o atendimento?', comment: true, comment_text: 'Quer deixar um comentário?', thanks: 'Obrigado!' },
    { id: 'fim', type: 'end', text: 'Até logo!' },
    { id: 'outro_fluxo', type: 'goto', flow: 'vendas' },
    { id: 'humano', type: 'handoff', queue: 'suporte', text: 'Vou chamar uma pessoa.', summary: ['pedido', 'escolha'] },
  ],
};

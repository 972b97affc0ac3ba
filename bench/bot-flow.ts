/**
 * The flow the bot benchmark runs: "oi" shows a menu of three buttons; a typed or tapped choice
 * is answered and the menu comes back, so every customer message gets an answer.
 */
export const BOT_BENCH_FLOW = `
name: bench-menu
language: pt
triggers:
  - type: keyword
    keywords: [oi]
steps:
  - id: menu
    type: menu
    text: "Olá! Escolha uma opção:"
    options:
      - title: Pedidos
        goto: pedidos
      - title: Entregas
        goto: entregas
      - title: Outros
        goto: outros
  - id: pedidos
    type: send
    text: "Seu pedido está a caminho."
    next: menu
  - id: entregas
    type: send
    text: "Entregamos em 3 dias úteis."
    next: menu
  - id: outros
    type: send
    text: "Certo!"
    next: menu
`;

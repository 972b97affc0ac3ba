import type { FlowLanguage, FlowSettings } from './types.js';

/** What the engine says by itself, per flow language, when `settings.texts` leaves it out. */
export const DEFAULT_TEXTS: Record<FlowLanguage, FlowSettings['texts']> = {
  pt: {
    invalid: 'Não consegui usar essa resposta: {{reason}}',
    did_you_mean: 'Não entendi bem. Você quis dizer…?',
    handoff: 'Vou passar você para uma pessoa da nossa equipe. Um momento, por favor.',
    timeout: 'Encerramos a conversa por falta de resposta. Se precisar, é só escrever de novo.',
    list_button: 'Ver opções',
    more: 'Mais opções',
  },
  en: {
    invalid: "Sorry, I couldn't use that answer: {{reason}}",
    did_you_mean: "I didn't quite get that. Did you mean…?",
    handoff: "I'm passing you to someone on our team. One moment, please.",
    timeout: 'We closed this conversation after a while without replies. Write again any time.',
    list_button: 'See options',
    more: 'More options',
  },
  es: {
    invalid: 'No pude usar esa respuesta: {{reason}}',
    did_you_mean: 'No entendí bien. ¿Quisiste decir…?',
    handoff: 'Te paso con una persona de nuestro equipo. Un momento, por favor.',
    timeout: 'Cerramos la conversación por falta de respuesta. Si lo necesitas, escribe de nuevo.',
    list_button: 'Ver opciones',
    more: 'Más opciones',
  },
};

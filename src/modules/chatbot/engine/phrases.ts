import type { FlowLanguage } from '../document/index.js';

/**
 * What the engine says by itself beyond `settings.texts` (those a flow may change): button
 * labels and short fixed replies, in the flow's language.
 */
export interface Phrases {
  yes: string;
  no: string;
  /** The menu's re-prompt reason. */
  pick_option: string;
  /** A search that found nothing. */
  not_found: string;
  /** A text the intent step did not understand and no intent came close. */
  not_understood: string;
  /** Survey: the score's re-prompt reason; `{min}`/`{max}` replaced. */
  score_range: string;
  csat_labels: Record<1 | 2 | 3 | 4 | 5, string>;
  comment: string;
  skip: string;
  /** Typed words that skip the survey comment. */
  skip_words: string[];
  thanks: string;
}

const PHRASES: Record<FlowLanguage, Phrases> = {
  pt: {
    yes: 'Sim',
    no: 'Não',
    pick_option: 'Escolha uma das opções.',
    not_found: 'Não encontrei nada sobre isso. Pode tentar com outras palavras?',
    not_understood: 'Desculpe, não entendi. Pode dizer de outro jeito?',
    score_range: 'Responda com um número de {min} a {max}.',
    csat_labels: { 5: '5 - Excelente', 4: '4 - Bom', 3: '3 - Regular', 2: '2 - Ruim', 1: '1 - Péssimo' },
    comment: 'Quer deixar um comentário? Escreva aqui, ou toque em Pular.',
    skip: 'Pular',
    skip_words: ['pular', 'nao', 'n', 'nada', 'sem comentario', 'skip'],
    thanks: 'Obrigado pela sua avaliação!',
  },
  en: {
    yes: 'Yes',
    no: 'No',
    pick_option: 'Please pick one of the options.',
    not_found: "I couldn't find anything about that. Could you try other words?",
    not_understood: "Sorry, I didn't understand. Could you say it another way?",
    score_range: 'Please answer with a number from {min} to {max}.',
    csat_labels: { 5: '5 - Excellent', 4: '4 - Good', 3: '3 - Okay', 2: '2 - Poor', 1: '1 - Very poor' },
    comment: 'Would you like to leave a comment? Write it here, or tap Skip.',
    skip: 'Skip',
    skip_words: ['skip', 'no', 'n', 'nothing', 'no comment'],
    thanks: 'Thank you for your feedback!',
  },
  es: {
    yes: 'Sí',
    no: 'No',
    pick_option: 'Elige una de las opciones.',
    not_found: 'No encontré nada sobre eso. ¿Puedes intentar con otras palabras?',
    not_understood: 'Perdón, no entendí. ¿Puedes decirlo de otra forma?',
    score_range: 'Responde con un número del {min} al {max}.',
    csat_labels: { 5: '5 - Excelente', 4: '4 - Bueno', 3: '3 - Regular', 2: '2 - Malo', 1: '1 - Muy malo' },
    comment: '¿Quieres dejar un comentario? Escríbelo aquí, o toca Omitir.',
    skip: 'Omitir',
    skip_words: ['omitir', 'no', 'n', 'nada', 'sin comentario', 'skip'],
    thanks: '¡Gracias por tu opinión!',
  },
};

/** The engine's own phrases in `language` (Portuguese for an unknown one). */
export function phrasesFor(language: FlowLanguage): Phrases {
  return PHRASES[language] ?? PHRASES.pt;
}

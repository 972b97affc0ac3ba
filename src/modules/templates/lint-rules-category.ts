import type { CreateTemplateRequest } from '../../whatsapp/index.js';
import { lintWarning, type LintProblem } from './lint-problem.js';
import { foldWithOrigins, scanVariables } from './lint-variables.js';

/**
 * Warns when a UTILITY template reads like marketing. Meta reviews the content, not the label:
 * a "utility" template offering a discount is re-categorised as MARKETING (cloud-api-facts
 * §4.3) and billed as one, or rejected with INCORRECT_CATEGORY. Words are matched ignoring case
 * and accents, in the template's language (Portuguese, English, Spanish; all three for any
 * other language); what is inside `{{...}}` is not read.
 */
export function lintCategoryContent(input: CreateTemplateRequest): LintProblem[] {
  if (input.category !== 'UTILITY' || !Array.isArray(input.components)) return [];
  const problems: LintProblem[] = [];
  const pattern = marketingPattern(input.language);
  for (const { text, path } of visibleTexts(input)) {
    for (const found of findMarketingWords(text, pattern)) {
      problems.push(
        lintWarning(
          'category.marketing-content',
          path,
          `"${found.word}" sounds like marketing, but this is a UTILITY template.`,
          'Meta re-categorises such templates as MARKETING (and charges them as marketing): set category to MARKETING, or remove the promotional wording.',
          { start: found.start, end: found.end },
        ),
      );
    }
  }
  return problems;
}

/**
 * Folded (lowercase, no accents) words and phrases that mark a message as promotional, by
 * language; a language not listed is read with all of them. English shop words such as
 * "Black Friday" and "% off" are common in every language, so they are always read.
 */
const MARKETING_WORDS: Record<string, string[]> = {
  pt: ['descontos?', 'promocao', 'promocoes', 'promocional', 'ofertas?', 'cupom', 'cupons', 'gratis', 'liquidacao', 'queima de estoque', 'imperdivel', 'aproveite'],
  en: ['discount(?:s|ed)?', 'sales?', 'offers?', 'promos?', 'promotions?', 'coupons?', 'free', 'deals?', 'limited time', 'buy now', 'clearance'],
  es: ['descuentos?', 'promocion(?:es)?', 'ofertas?', 'rebajas?', 'cupon(?:es)?', 'gratis', 'liquidacion', 'aprovecha'],
};
const EVERYWHERE = ['black friday', 'cyber monday'];

function marketingPattern(language: unknown): RegExp {
  const code = typeof language === 'string' ? language.slice(0, 2).toLowerCase() : '';
  const words = MARKETING_WORDS[code] ?? Object.values(MARKETING_WORDS).flat();
  return new RegExp(`\\b(?:${[...new Set([...words, ...EVERYWHERE])].join('|')})\\b|\\d*\\s*%\\s*off\\b`, 'g');
}

function findMarketingWords(text: string, pattern: RegExp): Array<{ word: string; start: number; end: number }> {
  // Blank out the variables (same length, so indices hold) before reading the words.
  let visible = text;
  for (const token of scanVariables(text).tokens) visible = visible.slice(0, token.start) + ' '.repeat(token.end - token.start) + visible.slice(token.end);
  const { folded, origins } = foldWithOrigins(visible);
  const found: Array<{ word: string; start: number; end: number }> = [];
  for (const match of folded.matchAll(pattern)) {
    const leading = match[0].length - match[0].trimStart().length;
    const start = origins[match.index + leading] as number;
    const end = origins[match.index + match[0].length] as number;
    found.push({ word: text.slice(start, end), start, end });
  }
  return found;
}

function visibleTexts(input: CreateTemplateRequest): Array<{ text: string; path: string }> {
  const texts: Array<{ text: string; path: string }> = [];
  for (const [index, component] of input.components.entries()) {
    if (typeof component?.text === 'string') texts.push({ text: component.text, path: `components[${index}].text` });
    for (const [i, button] of (Array.isArray(component?.buttons) ? component.buttons : []).entries()) {
      if (typeof button?.text === 'string') texts.push({ text: button.text, path: `components[${index}].buttons[${i}].text` });
    }
  }
  return texts;
}

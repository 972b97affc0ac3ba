import type { OutboundSpec } from '../document/index.js';
import { truncate } from './fold.js';

/** A choice the customer can tap: a reply button or a list row. */
export interface Choice {
  id: string;
  title: string;
  description?: string;
}

/** Cloud API limits the engine keeps to (longer texts are cut with `…`). */
const LIMITS = { text: 4096, body: 1024, header: 60, footer: 60, button: 20, row: 24, description: 72, listButton: 20, buttons: 3, rows: 10 };

/** The reply id of a paged list's "more" row. */
export const MORE_ID = '__more';

export function textMessage(body: string): OutboundSpec {
  return { type: 'text', text: { body: truncate(body, LIMITS.text) } };
}

export interface Decoration {
  header?: string;
  footer?: string;
}

/**
 * The message that offers `choices` under `body`: up to 3 as reply buttons, up to 10 as a list
 * (one section, opened by `listButton`), more as text with numbered lines (typed answers).
 */
export function choicesMessage(body: string, choices: Choice[], listButton: string, decoration: Decoration = {}): OutboundSpec {
  if (choices.length === 0) return textMessage(body);
  if (choices.length <= LIMITS.buttons) return buttonsMessage(body, choices, decoration);
  if (choices.length <= LIMITS.rows) return listMessage(body, listButton, choices, decoration);
  return textMessage(`${body}\n\n${choices.map((choice, i) => `${i + 1}. ${choice.title}`).join('\n')}`);
}

export function buttonsMessage(body: string, buttons: Choice[], decoration: Decoration = {}): OutboundSpec {
  return interactive('button', body, decoration, {
    buttons: buttons.slice(0, LIMITS.buttons).map((button) => ({ type: 'reply', reply: { id: button.id, title: truncate(button.title, LIMITS.button) } })),
  });
}

export function listMessage(body: string, button: string, rows: Choice[], decoration: Decoration = {}): OutboundSpec {
  return interactive('list', body, decoration, {
    button: truncate(button, LIMITS.listButton),
    sections: [
      {
        rows: rows.slice(0, LIMITS.rows).map((row) => ({
          id: row.id,
          title: truncate(row.title, LIMITS.row),
          ...(row.description ? { description: truncate(row.description, LIMITS.description) } : {}),
        })),
      },
    ],
  });
}

function interactive(type: 'button' | 'list', body: string, decoration: Decoration, action: Record<string, unknown>): OutboundSpec {
  return {
    type: 'interactive',
    interactive: {
      type,
      ...(decoration.header ? { header: { type: 'text', text: truncate(decoration.header, LIMITS.header) } } : {}),
      body: { text: truncate(body, LIMITS.body) },
      ...(decoration.footer ? { footer: { text: truncate(decoration.footer, LIMITS.footer) } } : {}),
      action,
    },
  };
}

/**
 * Splits a long menu into pages a list can show: while more than 10 options remain, a page
 * holds 9 and a "more" row; the last page holds the rest (up to 10).
 */
export function menuPages<T>(options: T[]): T[][] {
  if (options.length <= LIMITS.rows) return [options];
  const pages: T[][] = [];
  let from = 0;
  while (options.length - from > LIMITS.rows) {
    pages.push(options.slice(from, from + LIMITS.rows - 1));
    from += LIMITS.rows - 1;
  }
  pages.push(options.slice(from));
  return pages;
}

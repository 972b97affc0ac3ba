/**
 * WhatsApp's text formatting as a tree of plain values: *bold*, _italic_, ~strike~, ```mono```
 * and http(s) links. Never HTML: the screens turn the tree into React elements, so what the
 * customer typed is always text (`<img onerror>` shows as those characters), and only http(s)
 * URLs become links (`javascript:` stays text).
 *
 * @example parseFormatting('*oi* _você_') // [{kind:'bold', children:[{kind:'text', text:'oi'}]}, {kind:'text', text:' '}, {kind:'italic', …}]
 */
export type FormatNode =
  | { kind: 'text'; text: string }
  | { kind: 'link'; href: string; text: string }
  | { kind: 'mono'; text: string }
  | { kind: 'bold' | 'italic' | 'strike'; children: FormatNode[] };

const MARKERS: Record<string, 'bold' | 'italic' | 'strike'> = { '*': 'bold', _: 'italic', '~': 'strike' };
const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[).,!?;:'"\]}*_~]+$/;
// Private-use characters stand for links while the markers are parsed.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const WORD = /[\p{L}\p{N}]/u;

export function parseFormatting(input: string): FormatNode[] {
  const text = input.replace(/[\uE000\uE001]/g, '\uFFFD');
  const nodes: FormatNode[] = [];
  let rest = text;
  // ```mono``` first: nothing inside it is formatted.
  for (;;) {
    const start = rest.indexOf('```');
    const end = start < 0 ? -1 : rest.indexOf('```', start + 3);
    if (start < 0 || end < 0 || end === start + 3) {
      nodes.push(...parseInline(rest));
      break;
    }
    nodes.push(...parseInline(rest.slice(0, start)));
    nodes.push({ kind: 'mono', text: rest.slice(start + 3, end) });
    rest = rest.slice(end + 3);
  }
  return merge(nodes);
}

/** The href of a link WhatsApp would make: an http(s) URL, else undefined. */
export function safeHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function parseInline(text: string): FormatNode[] {
  if (!text) return [];
  const links: string[] = [];
  const masked = text.replace(URL_PATTERN, (match) => {
    const trailing = TRAILING.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - trailing.length);
    links.push(url);
    return `${OPEN}${links.length - 1}${CLOSE}${trailing}`;
  });
  return parseMarkers(masked, links);
}

function parseMarkers(text: string, links: string[]): FormatNode[] {
  const out: FormatNode[] = [];
  let buffer = '';
  const flush = () => {
    if (buffer) out.push(...unmask(buffer, links));
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    const kind = MARKERS[char];
    if (kind && opens(text, i)) {
      const close = closing(text, char, i + 1);
      if (close > 0) {
        flush();
        out.push({ kind, children: parseMarkers(text.slice(i + 1, close), links) });
        i = close + 1;
        continue;
      }
    }
    buffer += char;
    i += 1;
  }
  flush();
  return out;
}

function opens(text: string, at: number): boolean {
  const before = at > 0 ? (text[at - 1] as string) : '';
  const after = text[at + 1];
  return !WORD.test(before) && after !== undefined && !/\s/.test(after);
}

function closing(text: string, marker: string, from: number): number {
  for (let k = from + 1; k < text.length; k++) {
    const char = text[k];
    if (char === '\n') return -1;
    if (char !== marker) continue;
    const after = text[k + 1];
    if (!/\s/.test(text[k - 1] as string) && (after === undefined || !WORD.test(after))) return k;
  }
  return -1;
}

function unmask(text: string, links: string[]): FormatNode[] {
  const out: FormatNode[] = [];
  const pattern = new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push({ kind: 'text', text: text.slice(last, match.index) });
    const url = links[Number(match[1])] ?? '';
    const href = safeHref(url);
    out.push(href ? { kind: 'link', href, text: url } : { kind: 'text', text: url });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** Joins neighbouring text nodes (the parser leaves some apart). */
function merge(nodes: FormatNode[]): FormatNode[] {
  const out: FormatNode[] = [];
  for (const node of nodes) {
    const previous = out[out.length - 1];
    if (node.kind === 'text' && previous?.kind === 'text') previous.text += node.text;
    else out.push(node);
  }
  return out;
}

import { Fragment, type ReactNode } from 'react';
import { parseFormatting, type FormatNode } from './format';

/** A WhatsApp text as React elements (see format.ts): user text is only ever text nodes. */
export function Formatted({ text }: { text: string }) {
  return <>{parseFormatting(text).map(render)}</>;
}

function render(node: FormatNode, index: number): ReactNode {
  switch (node.kind) {
    case 'text':
      return <Fragment key={index}>{node.text}</Fragment>;
    case 'link':
      return (
        <a key={index} href={node.href} target="_blank" rel="noopener noreferrer">
          {node.text}
        </a>
      );
    case 'mono':
      return <code key={index} className="mono">{node.text}</code>;
    case 'bold':
      return <strong key={index}>{node.children.map(render)}</strong>;
    case 'italic':
      return <em key={index}>{node.children.map(render)}</em>;
    case 'strike':
      return <s key={index}>{node.children.map(render)}</s>;
  }
}

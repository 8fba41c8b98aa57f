// Renders markdown-lite nodes as React elements (text is escaped by React; no HTML strings).
import { Fragment, type ReactNode } from 'react';
import { type InlineNode, parseMarkdownLite } from '../lib/markdown-lite';

export function Markdown({ text, myName }: { text: string; myName: string }) {
  return <>{render(parseMarkdownLite(text), myName.toLowerCase())}</>;
}

function render(nodes: InlineNode[], me: string): ReactNode[] {
  return nodes.map((node, i) => {
    switch (node.kind) {
      case 'text':
        return <Fragment key={i}>{node.text}</Fragment>;
      case 'bold':
        return <strong key={i}>{render(node.children, me)}</strong>;
      case 'italic':
        return <em key={i}>{render(node.children, me)}</em>;
      case 'code':
        return <code key={i}>{node.text}</code>;
      case 'link':
        return (
          <a key={i} href={node.href} target="_blank" rel="noopener noreferrer nofollow">
            {render(node.children, me)}
          </a>
        );
      case 'mention':
        return (
          <span key={i} className={node.name.toLowerCase() === me || node.name === 'channel' ? 'mention me' : 'mention'}>
            @{node.name}
          </span>
        );
      case 'break':
        return <br key={i} />;
    }
  });
}

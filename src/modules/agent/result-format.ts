import { OutgoingAttachment, TextStyle } from '../signal';

/** A result as the phone gets it: text with code in monospace, and the whole of a long one as a file. */
export interface FormattedResult {
  body: string;
  styles: TextStyle[];
  attachment?: OutgoingAttachment;
}

/** How much of a long result the message itself shows. */
const SUMMARY_LINES = 12;
const SUMMARY_CHARS = 800;

/**
 * Code fences and inline code become Signal's monospace style (the backticks go; the ranges
 * are UTF-16 units, so emoji and accents around them count as Signal counts them). A result
 * longer than `maxBytes` (UTF-8) is sent as its first lines plus the whole text as a file.
 */
export function formatResult(text: string, maxBytes: number): FormattedResult {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return monospaceCode(text);
  const head = text.split('\n').slice(0, SUMMARY_LINES).join('\n').slice(0, SUMMARY_CHARS);
  const summary = monospaceCode(head.trimEnd());
  return {
    body: `${summary.body}\n\n… ${Math.ceil(bytes / 1024)} KB in all: the whole answer is attached (answer.md).`,
    styles: summary.styles,
    attachment: { filename: 'answer.md', contentType: 'text/markdown', data: Buffer.from(text) },
  };
}

/** Markdown code (fenced blocks, `inline`) as monospace ranges over the text without its markers. */
export function monospaceCode(markdown: string): { body: string; styles: TextStyle[] } {
  const styles: TextStyle[] = [];
  const out: string[] = [];
  let length = 0; // of out.join('\n') so far
  let inFence = false;
  let blockStart = -1;
  const push = (line: string): void => {
    if (out.length > 0) length += 1; // the newline before it
    out.push(line);
    length += line.length;
  };
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      if (inFence && blockStart >= 0 && length > blockStart) {
        styles.push({ start: blockStart, length: length - blockStart, style: 'MONOSPACE' });
      }
      inFence = !inFence;
      blockStart = -1;
      continue;
    }
    if (inFence) {
      if (blockStart < 0) blockStart = length + (out.length > 0 ? 1 : 0);
      push(line);
      continue;
    }
    let plain = '';
    let at = 0;
    const lineStart = length + (out.length > 0 ? 1 : 0);
    for (const match of line.matchAll(/`([^`]+)`/g)) {
      plain += line.slice(at, match.index);
      styles.push({ start: lineStart + plain.length, length: match[1].length, style: 'MONOSPACE' });
      plain += match[1];
      at = (match.index ?? 0) + match[0].length;
    }
    push(plain + line.slice(at));
  }
  // A fence left open runs to the end.
  if (inFence && blockStart >= 0 && length > blockStart) {
    styles.push({ start: blockStart, length: length - blockStart, style: 'MONOSPACE' });
  }
  return { body: out.join('\n'), styles };
}

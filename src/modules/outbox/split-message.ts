/** Signal's inline limit: longer bodies become attachments or are dropped by clients. */
export const SIGNAL_MAX_BYTES = 2000;
/** Room kept for the "(12/34) " numbering in front of each part. */
const NUMBERING_BYTES = 16;

/**
 * Splits `text` into parts of at most `maxBytes` UTF-8 bytes each, numbered "(1/3) " when there
 * is more than one. Cuts prefer a line break outside a code fence, then any line break, then a
 * space, and never fall inside a character; the separator stays at the end of its part, so the
 * parts without their numbering join back into exactly `text`.
 */
export function splitMessage(text: string, maxBytes = SIGNAL_MAX_BYTES): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const budget = maxBytes - NUMBERING_BYTES;
  const chars = Array.from(text); // code points: a cut never lands inside one
  const parts: string[] = [];
  let start = 0;
  let inFence = false;
  while (start < chars.length) {
    let bytes = 0;
    let end = start;
    while (end < chars.length && bytes + Buffer.byteLength(chars[end]) <= budget) {
      bytes += Buffer.byteLength(chars[end]);
      end++;
    }
    if (end < chars.length) end = bestCut(chars, start, end, inFence);
    const part = chars.slice(start, end).join('');
    inFence = fenceStateAfter(part, inFence);
    parts.push(part);
    start = end;
  }
  return parts.map((part, i) => `(${i + 1}/${parts.length}) ${part}`);
}

/** Removes the "(i/n) " numbering `splitMessage` adds. */
export function stripNumbering(part: string): string {
  return part.replace(/^\(\d+\/\d+\) /, '');
}

function bestCut(chars: string[], start: number, end: number, inFenceAtStart: boolean): number {
  let anyNewline = -1;
  let outsideFence = -1;
  let space = -1;
  let inFence = inFenceAtStart;
  let lineStart = start;
  for (let i = start; i < end; i++) {
    if (chars[i] === '\n') {
      if (chars.slice(lineStart, lineStart + 3).join('') === '```') inFence = !inFence;
      anyNewline = i + 1;
      if (!inFence) outsideFence = i + 1;
      lineStart = i + 1;
    } else if (chars[i] === ' ') {
      space = i + 1;
    }
  }
  // A cut near the start would make a tiny part; only take it when nothing better exists.
  const usable = (cut: number) => cut > start + (end - start) / 4;
  if (usable(outsideFence)) return outsideFence;
  if (usable(anyNewline)) return anyNewline;
  if (usable(space)) return space;
  return end;
}

function fenceStateAfter(part: string, inFence: boolean): boolean {
  let state = inFence;
  // Only whole lines count, as in bestCut: a fence marker is a line starting with ```.
  for (const line of part.split('\n').slice(0, -1)) if (line.startsWith('```')) state = !state;
  return state;
}

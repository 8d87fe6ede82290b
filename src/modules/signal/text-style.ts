/** A Signal text style over part of a message, in UTF-16 code units (JavaScript string indices). */
export interface TextStyle {
  start: number;
  length: number;
  style: 'MONOSPACE' | 'BOLD' | 'ITALIC' | 'STRIKETHROUGH' | 'SPOILER';
}

/** A file sent with a message. */
export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** signal-cli's `textStyle` parameter: `"start:length:STYLE"` each. */
export function signalCliTextStyles(styles: TextStyle[]): string[] {
  return styles.map((s) => `${s.start}:${s.length}:${s.style}`);
}

/** A data URI, as both signal-cli (`attachment`) and the REST API (`base64_attachments`) take. */
export function attachmentDataUri(attachment: OutgoingAttachment): string {
  const name = attachment.filename.replace(/[;,]/g, '_');
  return `data:${attachment.contentType};filename=${name};base64,${attachment.data.toString('base64')}`;
}

const MARKERS = /[*~|`\\]/;

/**
 * The REST API's `text_mode: "styled"` markup for monospace ranges (`` `code` ``), or undefined
 * when the text itself holds a markup character (its escaping differs between versions, so such
 * a text is sent plain rather than risk garbling it) or a style other than monospace.
 */
export function restStyledText(text: string, styles: TextStyle[]): string | undefined {
  if (styles.some((s) => s.style !== 'MONOSPACE') || MARKERS.test(text)) return undefined;
  const sorted = [...styles].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const style of sorted) {
    if (style.start < at) return undefined; // overlapping ranges
    out += `${text.slice(at, style.start)}\`${text.slice(style.start, style.start + style.length)}\``;
    at = style.start + style.length;
  }
  return out + text.slice(at);
}

/** Reads the REST API's styled markup back into text and monospace ranges (the simulator's view). */
export function parseRestStyledText(markup: string): { text: string; styles: TextStyle[] } {
  const styles: TextStyle[] = [];
  let text = '';
  const parts = markup.split('`');
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      styles.push({ start: text.length, length: part.length, style: 'MONOSPACE' });
    }
    text += part;
  });
  return { text, styles };
}

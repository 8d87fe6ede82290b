/** Prints a phone conversation as a chat transcript: who, when (seconds since start), what. */
export class Transcript {
  private readonly started: number;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** What the phone sent. */
  phone(text: string): void {
    this.line('📱 you', text);
  }

  /** What the bot sent; `edited` for an edit of an earlier message. */
  bot(text: string, attachments = 0, edited = false): void {
    const files =
      attachments > 0 ? `\n[${attachments} attachment${attachments > 1 ? 's' : ''}]` : '';
    this.line(edited ? '🤖 bot ✎' : '🤖 bot', `${text}${files}`);
  }

  /** Something that happened around the conversation (a network drop, the end). */
  note(text: string): void {
    this.out.write(`${this.stamp()}  ·· ${text}\n`);
  }

  elapsed(): string {
    return `${((this.now() - this.started) / 1000).toFixed(1)} s`;
  }

  private line(who: string, text: string): void {
    const [first, ...rest] = text.split('\n');
    const indent = ' '.repeat(8 + who.length + 4);
    const body = [first, ...rest.map((l) => `${indent}${l}`)].join('\n');
    this.out.write(`${this.stamp()}  ${who}  ${body}\n`);
  }

  private stamp(): string {
    return `${((this.now() - this.started) / 1000).toFixed(1).padStart(6)}s`;
  }
}

/** What a session can record, with the details each kind carries. */
export interface ActivityDetails {
  /** A file the agent created or changed. */
  file_edit: { path: string };
  /** A shell command the agent ran, with a short outcome ("12 passed", "exit 1"). */
  command: { command: string; outcome?: string };
  /** Any other tool call. */
  tool: { tool: string; target?: string };
  /** A turn that finished. */
  turn_result: { ok: boolean; summary?: string };
  error: { message: string };
  note: { text: string };
}

export type ActivityKind = keyof ActivityDetails;

export interface ActivityEntry<K extends ActivityKind = ActivityKind> {
  id: number;
  sessionId: string;
  kind: K;
  details: ActivityDetails[K];
  createdAt: string;
  summarized: boolean;
}

const MAX_LINE = 100;

/** One short plain line for an entry: "edited src/app.ts", "ran npm test (12 passed)". */
export function describeActivity(entry: Pick<ActivityEntry, 'kind' | 'details'>): string {
  return clip(describe(entry));
}

function describe({ kind, details }: Pick<ActivityEntry, 'kind' | 'details'>): string {
  switch (kind) {
    case 'file_edit':
      return `edited ${(details as ActivityDetails['file_edit']).path}`;
    case 'command': {
      const d = details as ActivityDetails['command'];
      return `ran ${d.command}${d.outcome ? ` (${d.outcome})` : ''}`;
    }
    case 'tool': {
      const d = details as ActivityDetails['tool'];
      return `used ${d.tool}${d.target ? ` on ${d.target}` : ''}`;
    }
    case 'turn_result': {
      const d = details as ActivityDetails['turn_result'];
      const head = d.ok ? 'finished a turn' : 'stopped a turn with an error';
      return d.summary ? `${head}: ${d.summary}` : head;
    }
    case 'error':
      return `hit an error: ${(details as ActivityDetails['error']).message}`;
    case 'note':
      return (details as ActivityDetails['note']).text;
    default:
      return String(kind);
  }
}

function clip(line: string): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_LINE ? flat : `${flat.slice(0, MAX_LINE - 1)}…`;
}

/**
 * The catch-up text: a header, one line per entry, and how many more there were than the log
 * kept. `more` counts entries trimmed before anyone saw them.
 */
export function renderCatchUp(lines: readonly string[], more: number): string {
  const total = lines.length + more;
  const header = `While you were away, Claude did ${total} ${total === 1 ? 'thing' : 'things'}:`;
  const body = lines.map((line) => `• ${line}`);
  if (more > 0) body.push(`… and ${more} more`);
  return [header, ...body].join('\n');
}

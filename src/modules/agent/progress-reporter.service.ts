import { isAbsolute, relative } from 'node:path';
import { Injectable } from '@nestjs/common';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Conversation, conversationKey } from '../../common/conversations';
import { EventBus } from '../../common/events';
import { OutboxService, TypingIndicator } from '../outbox';
import { ConversationSettingsService } from '../sessions';
import { formatDuration } from './turn-reporter.service';

/** How many of the latest steps the live progress message shows. */
const SHOWN_STEPS = 4;

interface Progress {
  to: Conversation;
  project: string;
  startedAt: number;
  steps: string[];
  count: number;
  /** The outbox row of the latest write while Signal does not have it yet. */
  unsentId?: number;
  /** When Signal last took the progress message (ms). */
  deliveredAt?: number;
  /** A newer state is waiting for the edit interval to pass. */
  trailing?: Timer;
  /** A newer state is waiting for Signal to take the last version. */
  dirty: boolean;
  finished: boolean;
}

/**
 * What the phone sees of a running turn, by the conversation's verbosity. quiet: nothing.
 * normal: one message per turn, edited in place (the last few steps and the elapsed time), at
 * most once per `PROGRESS_EDIT_SECONDS`. verbose: a message per tool call. All of it goes
 * through the outbox as informational progress: urgent messages overtake it, it is folded when
 * the outbox is over its bound, and it is quiet unless the conversation turned it on (`/notify`).
 */
@Injectable()
export class ProgressReporter {
  private readonly turns = new Map<string, Progress>();

  constructor(
    private readonly outbox: OutboxService,
    private readonly settings: ConversationSettingsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly typing: TypingIndicator,
    events: EventBus,
  ) {
    // The interval counts from when Signal took the last version, not from when it was written:
    // a write that waited in the outbox must not be followed by one too soon after.
    events.on('outbox.sent', ({ id, kind }) => {
      if (kind !== 'progress') return;
      for (const [turnKey, progress] of this.turns) {
        if (progress.unsentId !== id) continue;
        progress.unsentId = undefined;
        progress.deliveredAt = this.clock.nowMs();
        if (progress.dirty) {
          progress.dirty = false;
          this.update(turnKey, progress);
        }
      }
    });
  }

  /** A turn starts: the phone shows "typing…" until it ends, and its progress begins. */
  begin(turnKey: string, to: Conversation, project: string): void {
    this.typing.start(to);
    this.turns.set(turnKey, {
      to,
      project,
      startedAt: this.clock.nowMs(),
      steps: [],
      count: 0,
      dirty: false,
      finished: false,
    });
  }

  step(turnKey: string, tool: string, input: Record<string, unknown>): void {
    const progress = this.turns.get(turnKey);
    if (!progress) return;
    const line = describeStep(tool, input);
    progress.count++;
    progress.steps = [...progress.steps, line].slice(-SHOWN_STEPS);
    const verbosity = this.settings.get(conversationKey(progress.to)).verbosity;
    if (verbosity === 'verbose') {
      this.outbox.enqueue({ to: progress.to, body: `🔧 ${line}`, kind: 'progress' });
    } else if (verbosity === 'normal') {
      this.update(turnKey, progress);
    }
  }

  /** The turn ended: the live message shows that, once the edit interval allows. */
  end(turnKey: string): void {
    const progress = this.turns.get(turnKey);
    if (!progress) return;
    this.typing.stop(progress.to);
    progress.finished = true;
    if (progress.unsentId === undefined && progress.deliveredAt === undefined) {
      this.turns.delete(turnKey); // nothing was written: nothing to close
      return;
    }
    this.update(turnKey, progress);
  }

  /**
   * Writes the live message at once the first time; after that, once Signal has taken the last
   * version and the edit interval has passed since. So one turn never has more than one
   * progress row waiting in the outbox, however slow Signal is.
   */
  private update(turnKey: string, progress: Progress): void {
    if (progress.trailing) return; // the pending write will show the newest state
    if (progress.unsentId !== undefined) {
      progress.dirty = true; // written once Signal takes the last version
      return;
    }
    const wait =
      progress.deliveredAt === undefined
        ? 0
        : progress.deliveredAt + this.config.agent.progressEditMs - this.clock.nowMs();
    if (wait <= 0) return this.write(turnKey, progress);
    progress.trailing = this.clock.schedule(
      () => {
        progress.trailing = undefined;
        this.write(turnKey, progress);
      },
      wait,
      'progress',
    );
  }

  private write(turnKey: string, progress: Progress): void {
    const elapsed = formatDuration(this.clock.nowMs() - progress.startedAt);
    const steps = `${progress.count} step${progress.count === 1 ? '' : 's'}`;
    const head = progress.finished
      ? `✔ Finished in ${progress.project}: ${steps}, ${elapsed}`
      : `⏳ Working in ${progress.project}: ${steps}, ${elapsed}`;
    const body = [head, ...progress.steps.map((s) => `• ${s}`)].join('\n');
    progress.unsentId = this.outbox.enqueue({ to: progress.to, body, kind: 'progress', turnKey });
    if (progress.finished) this.turns.delete(turnKey);
  }
}

/**
 * A tool call's input with the paths inside the project made relative to it (`src/app.ts`
 * rather than the whole absolute path), which is what a phone screen has room for.
 */
export function relativeToProject(
  project: string,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const shown = { ...input };
  for (const key of ['file_path', 'notebook_path', 'path']) {
    const value = input[key];
    if (typeof value !== 'string' || !isAbsolute(value)) continue;
    const inside = relative(project, value);
    if (!inside.startsWith('..') && !isAbsolute(inside)) shown[key] = inside || '.';
  }
  return shown;
}

/** One tool call in a few words: the command, the file, the pattern. */
export function describeStep(tool: string, input: Record<string, unknown>): string {
  const text = (value: unknown): string => clip(String(value).split('\n')[0]);
  if (tool === 'Bash' && input.command) return `Bash: ${text(input.command)}`;
  const target = input.file_path ?? input.notebook_path ?? input.pattern ?? input.path ?? input.url;
  return target === undefined ? tool : `${tool} ${text(target)}`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

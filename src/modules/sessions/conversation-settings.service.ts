import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Sqlite } from '../../common/database';
import { MutableUrgency, Verbosity, VERBOSITIES } from './conversation-settings.entity';

export interface ConversationSettings {
  /** The real path of the project folder this conversation is bound to. */
  project: string | null;
  verbosity: Verbosity;
  /** Kinds delivered without a notification. */
  muted: MutableUrgency[];
}

/** Progress buzzing every few seconds is noise: by default it arrives without a notification. */
const DEFAULTS: ConversationSettings = {
  project: null,
  verbosity: 'normal',
  muted: ['informational'],
};

/**
 * Per-conversation choices (the project it is bound to, `/verbosity`, `/notify`), kept in the
 * database so they survive a restart, and cached: the outbox reads them for every message.
 */
@Injectable()
export class ConversationSettingsService {
  private readonly cache = new Map<string, ConversationSettings>();

  constructor(
    private readonly sqlite: Sqlite,
    private readonly clock: Clock,
  ) {}

  get(conversationKey: string): ConversationSettings {
    const cached = this.cache.get(conversationKey);
    if (cached) return cached;
    const row = this.sqlite
      .prepare<[string], { project: string | null; verbosity: string; muted: string }>(
        `SELECT project, verbosity, muted FROM conversation_settings WHERE conversation_key = ?`,
      )
      .get(conversationKey);
    const settings: ConversationSettings = row
      ? {
          project: row.project,
          verbosity: VERBOSITIES.includes(row.verbosity as Verbosity)
            ? (row.verbosity as Verbosity)
            : DEFAULTS.verbosity,
          muted: JSON.parse(row.muted) as MutableUrgency[],
        }
      : DEFAULTS;
    this.cache.set(conversationKey, settings);
    return settings;
  }

  bindProject(conversationKey: string, project: string): void {
    this.save(conversationKey, { ...this.get(conversationKey), project });
  }

  /** Which conversations are bound to which project folder (real paths). */
  bindings(): Map<string, string[]> {
    const rows = this.sqlite
      .prepare<[], { project: string; conversation_key: string }>(
        `SELECT project, conversation_key FROM conversation_settings WHERE project IS NOT NULL`,
      )
      .all();
    const bound = new Map<string, string[]>();
    for (const row of rows) {
      bound.set(row.project, [...(bound.get(row.project) ?? []), row.conversation_key]);
    }
    return bound;
  }

  setVerbosity(conversationKey: string, verbosity: Verbosity): void {
    this.save(conversationKey, { ...this.get(conversationKey), verbosity });
  }

  setNotify(conversationKey: string, kind: MutableUrgency, on: boolean): ConversationSettings {
    const muted = this.get(conversationKey).muted.filter((k) => k !== kind);
    if (!on) muted.push(kind);
    return this.save(conversationKey, { ...this.get(conversationKey), muted: muted.sort() });
  }

  private save(conversationKey: string, settings: ConversationSettings): ConversationSettings {
    this.sqlite
      .prepare(
        `INSERT INTO conversation_settings (conversation_key, project, verbosity, muted, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (conversation_key) DO UPDATE
           SET project = excluded.project, verbosity = excluded.verbosity, muted = excluded.muted,
             updated_at = excluded.updated_at`,
      )
      .run(
        conversationKey,
        settings.project,
        settings.verbosity,
        JSON.stringify(settings.muted),
        this.clock.nowIso(),
      );
    this.cache.set(conversationKey, settings);
    return settings;
  }
}

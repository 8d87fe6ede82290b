import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Sqlite } from '../../common/database';
import { MutableUrgency, Verbosity, VERBOSITIES } from './conversation-settings.entity';

export interface ConversationSettings {
  verbosity: Verbosity;
  /** Kinds delivered without a notification. */
  muted: MutableUrgency[];
}

/** Progress buzzing every few seconds is noise: by default it arrives without a notification. */
const DEFAULTS: ConversationSettings = { verbosity: 'normal', muted: ['informational'] };

/**
 * Per-conversation choices (`/verbosity`, `/notify`), kept in the database so they survive a
 * restart, and cached: the outbox reads them for every message it writes.
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
      .prepare<[string], { verbosity: string; muted: string }>(
        `SELECT verbosity, muted FROM conversation_settings WHERE conversation_key = ?`,
      )
      .get(conversationKey);
    const settings: ConversationSettings = row
      ? {
          verbosity: VERBOSITIES.includes(row.verbosity as Verbosity)
            ? (row.verbosity as Verbosity)
            : DEFAULTS.verbosity,
          muted: JSON.parse(row.muted) as MutableUrgency[],
        }
      : DEFAULTS;
    this.cache.set(conversationKey, settings);
    return settings;
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
        `INSERT INTO conversation_settings (conversation_key, verbosity, muted, updated_at)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (conversation_key) DO UPDATE
           SET verbosity = excluded.verbosity, muted = excluded.muted, updated_at = excluded.updated_at`,
      )
      .run(
        conversationKey,
        settings.verbosity,
        JSON.stringify(settings.muted),
        this.clock.nowIso(),
      );
    this.cache.set(conversationKey, settings);
    return settings;
  }
}

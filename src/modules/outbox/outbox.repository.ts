import { Injectable } from '@nestjs/common';
import { Sqlite } from '../../common/database';
import { OutboxKind } from './outbox-message.entity';

export interface OutboxRow {
  id: number;
  conversation_key: string;
  target: string;
  body: string;
  kind: OutboxKind;
  turn_key: string | null;
  edit_of: number | null;
  quiet: number;
  styles: string | null;
  attachment: string | null;
  folded: number;
  parts_sent: number;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
}

export interface NewOutboxRow {
  conversationKey: string;
  priority: number;
  target: string;
  body: string;
  kind: OutboxKind;
  turnKey: string | null;
  /** Edit this sent message (by Signal timestamp) rather than send a new one. */
  editOf?: number | null;
  /** Deliver without a notification. */
  quiet?: boolean;
  /** JSON of the text styles and of the attachment, when there are any. */
  styles?: string | null;
  attachment?: string | null;
  at: string;
}

/**
 * The columns the dispatcher reads (`OutboxRow`): all but the bookkeeping of the send itself
 * (state, priority, sent_at, signal_timestamp, error). A test holds them to the entity.
 */
export const OUTBOX_COLUMNS = `id, conversation_key, target, body, kind, turn_key, edit_of, quiet, styles, attachment, folded, parts_sent,
  attempts, next_attempt_at, created_at`;

/** Sending order: catch-up summaries first, then urgent messages, then the rest by id. */
export const PRIORITY = { first: 0, urgent: 1, normal: 2 } as const;

/**
 * When the oldest waiting row was written: the first row of each priority (ids grow with time),
 * three seeks in the sending index instead of a pass over a backlog that a readiness probe or a
 * metrics scrape would pay for each time. Its plan is pinned by a test.
 */
export const OLDEST_PENDING_SQL = `SELECT min(created_at) AS at FROM (${Object.values(PRIORITY)
  .map(
    (priority) => `SELECT (SELECT created_at FROM outbox_messages
      WHERE state = 'pending' AND priority = ${priority} ORDER BY id LIMIT 1) AS created_at`,
  )
  .join(' UNION ALL ')})`;

/**
 * Rows waiting out a retry become due now. Only a retry sets a later time, and it counts an
 * attempt, so `attempts > 0` loses none and lets the small retrying index answer. Named, as the
 * planner cannot tell without statistics that it is the smaller one (plan pinned by a test).
 */
export const DUE_NOW_SQL = `UPDATE outbox_messages INDEXED BY idx_outbox_retrying
  SET next_attempt_at = ? WHERE state = 'pending' AND attempts > 0 AND next_attempt_at > ?`;

/** The dispatcher's next row; its plan (index, no sort) is pinned by a test. */
export const OUTBOX_HEAD_SQL = `SELECT ${OUTBOX_COLUMNS} FROM outbox_messages WHERE state = 'pending'
  ORDER BY priority, id LIMIT 1`;

/**
 * SQL for `outbox_messages`. Multi-statement changes run in one transaction. Only this process
 * writes the table, so the pending count is kept in memory after one count at first use.
 */
@Injectable()
export class OutboxRepository {
  private pending?: number;
  /**
   * The row the dispatcher is sending right now, if any. It is still `pending`, but Signal may
   * already have it, so nothing replaces, drops or folds it.
   */
  private sendingId = -1;

  constructor(private readonly sqlite: Sqlite) {}

  /**
   * Inserts rows in one transaction (one write however many: recovery tells thousands of
   * conversations at once) and returns their ids in order. A progress row replaces the unsent
   * progress of its turn (which of the turn's messages it edits is settled when it is sent: see
   * `progressOriginal`).
   */
  insert(rows: readonly NewOutboxRow[]): number[] {
    const enclosed = this.sqlite.inTransaction;
    const replace = this.sqlite.prepare(
      `DELETE FROM outbox_messages
       WHERE state = 'pending' AND kind = 'progress' AND turn_key = ? AND parts_sent = 0
         AND id != ?`,
    );
    const insert = this.sqlite.prepare(
      `INSERT INTO outbox_messages (conversation_key, target, body, kind, state, turn_key,
         edit_of, next_attempt_at, created_at, priority, quiet, styles, attachment)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let replaced = 0;
    const ids = this.sqlite.transaction(() =>
      rows.map((row) => {
        if (row.kind === 'progress' && row.turnKey)
          replaced += replace.run(row.turnKey, this.sendingId).changes;
        return Number(
          insert.run(
            row.conversationKey,
            row.target,
            row.body,
            row.kind,
            row.turnKey,
            row.editOf ?? null,
            row.at,
            row.at,
            row.priority,
            row.quiet ? 1 : 0,
            row.styles ?? null,
            row.attachment ?? null,
          ).lastInsertRowid,
        );
      }),
    );
    this.adjustPending(rows.length - replaced, enclosed);
    return ids;
  }

  /** The dispatcher is sending this row now (or, with undefined, nothing). */
  markSending(id: number | undefined): void {
    this.sendingId = id ?? -1;
  }

  /**
   * The Signal timestamp of the turn's first progress message, once one was sent: a later
   * update of the turn edits that message in place. Looked up when the update is sent, so an
   * update written while the first was still on its way edits it too.
   */
  progressOriginal(turnKey: string): number | null {
    return (
      this.sqlite
        .prepare<[string], { original: number }>(
          `SELECT COALESCE(edit_of, signal_timestamp) AS original FROM outbox_messages
           WHERE state = 'sent' AND kind = 'progress' AND turn_key = ?
           ORDER BY id DESC LIMIT 1`,
        )
        .get(turnKey)?.original ?? null
    );
  }

  /** Records which sent message a row edits (settled just before it is sent). */
  setEditOf(id: number, editOf: number): void {
    this.sqlite.prepare(`UPDATE outbox_messages SET edit_of = ? WHERE id = ?`).run(editOf, id);
  }

  /** The oldest pending row: the dispatcher sends strictly in this order. */
  head(): OutboxRow | undefined {
    return this.sqlite.prepare<[], OutboxRow>(OUTBOX_HEAD_SQL).get();
  }

  pendingCount(): number {
    this.pending ??= this.sqlite
      .prepare<[], { n: number }>(
        `SELECT count(*) AS n FROM outbox_messages WHERE state = 'pending'`,
      )
      .get()?.n as number;
    return this.pending;
  }

  /** When the oldest waiting row was written. */
  oldestPendingAt(): string | undefined {
    return (
      this.sqlite.prepare<[], { at: string | null }>(OLDEST_PENDING_SQL).get()?.at ?? undefined
    );
  }

  /** Records one more part sent; the row is sent when the last part is. */
  partSent(
    id: number,
    partsSent: number,
    done: boolean,
    signalTimestamp: number,
    at: string,
  ): void {
    this.sqlite
      .prepare(
        `UPDATE outbox_messages SET parts_sent = ?, signal_timestamp = ?, attempts = 0,
           state = CASE WHEN ? THEN 'sent' ELSE state END,
           sent_at = CASE WHEN ? THEN ? ELSE sent_at END
         WHERE id = ?`,
      )
      .run(partsSent, signalTimestamp, done ? 1 : 0, done ? 1 : 0, at, id);
    if (done && this.pending !== undefined) this.pending--;
  }

  retryLater(id: number, attempts: number, nextAttemptAt: string, error: string): void {
    this.sqlite
      .prepare(
        `UPDATE outbox_messages SET attempts = ?, next_attempt_at = ?, error = ? WHERE id = ?`,
      )
      .run(attempts, nextAttemptAt, error, id);
  }

  /** Drops a conversation's unsent progress (a catch-up summary replaces it); returns how many. */
  dropPendingProgress(conversationKey: string): number {
    const enclosed = this.sqlite.inTransaction;
    const dropped = this.sqlite
      .prepare(
        `DELETE FROM outbox_messages WHERE state = 'pending' AND kind = 'progress'
           AND parts_sent = 0 AND conversation_key = ? AND id != ?`,
      )
      .run(conversationKey, this.sendingId).changes;
    this.adjustPending(-dropped, enclosed);
    return dropped;
  }

  /** Makes every pending row due now (Signal is reachable again: no reason to wait out backoff). */
  dueNow(at: string): void {
    this.sqlite.prepare(DUE_NOW_SQL).run(at, at);
  }

  /**
   * Keeps the in-memory count in step. Inside a caller's transaction the change may still be
   * rolled back, so the count is dropped and read again from the table next time.
   */
  private adjustPending(delta: number, enclosed: boolean): void {
    if (enclosed) this.pending = undefined;
    else if (this.pending !== undefined) this.pending += delta;
  }

  fail(id: number, error: string): void {
    this.sqlite
      .prepare(`UPDATE outbox_messages SET state = 'failed', error = ? WHERE id = ?`)
      .run(error, id);
    this.pending = undefined;
  }

  /**
   * Folds every unsent progress row of each conversation into its oldest one, which keeps its
   * place in the order and says how many updates it stands for. Returns how many rows went.
   */
  foldProgress(summary: (count: number) => string): number {
    const removed = this.sqlite.transaction(() => {
      const rows = this.sqlite
        .prepare<[number], { id: number; conversation_key: string; folded: number }>(
          `SELECT id, conversation_key, folded FROM outbox_messages
           WHERE state = 'pending' AND kind = 'progress' AND parts_sent = 0 AND id != ?
           ORDER BY id`,
        )
        .all(this.sendingId);
      const groups = new Map<string, { id: number; folded: number }[]>();
      for (const row of rows) {
        groups.set(row.conversation_key, [...(groups.get(row.conversation_key) ?? []), row]);
      }
      let dropped = 0;
      const keep = this.sqlite.prepare(
        `UPDATE outbox_messages SET body = ?, folded = ?, turn_key = NULL, edit_of = NULL WHERE id = ?`,
      );
      const drop = this.sqlite.prepare(`DELETE FROM outbox_messages WHERE id = ?`);
      for (const group of groups.values()) {
        if (group.length < 2) continue;
        const total = group.reduce((sum, row) => sum + Math.max(1, row.folded), 0);
        keep.run(summary(total), total, group[0].id);
        for (const row of group.slice(1)) drop.run(row.id);
        dropped += group.length - 1;
      }
      return dropped;
    });
    if (this.pending !== undefined) this.pending -= removed;
    return removed;
  }
}

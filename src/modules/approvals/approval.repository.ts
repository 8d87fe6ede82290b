import { Injectable } from '@nestjs/common';
import { Sqlite } from '../../common/database';
import { Approval, ApprovalState } from './approval.entity';

interface ApprovalRow {
  id: number;
  session_id: string;
  conversation_key: string;
  turn_key: string;
  tool_name: string;
  input: string;
  high_risk: number;
  risk: string | null;
  always_rule: string | null;
  state: ApprovalState;
  reason: string | null;
  created_at: string;
  decided_at: string | null;
  outbox_id: number | null;
  message: string;
  message_timestamp: number | null;
}

/** Every column of the table, as the entity declares them (a test holds them to it). */
export const APPROVAL_COLUMNS = `id, session_id, conversation_key, turn_key, tool_name, input, high_risk, risk,
  always_rule, state, reason, created_at, decided_at, outbox_id, message, message_timestamp`;

export function toApproval(row: ApprovalRow): Approval {
  return Object.assign(new Approval(), {
    id: row.id,
    sessionId: row.session_id,
    conversationKey: row.conversation_key,
    turnKey: row.turn_key,
    toolName: row.tool_name,
    input: row.input,
    highRisk: row.high_risk === 1,
    risk: row.risk,
    alwaysRule: row.always_rule,
    state: row.state,
    reason: row.reason,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    outboxId: row.outbox_id,
    message: row.message,
    messageTimestamp: row.message_timestamp,
  });
}

export type NewApproval = Pick<
  Approval,
  | 'sessionId'
  | 'conversationKey'
  | 'turnKey'
  | 'toolName'
  | 'input'
  | 'highRisk'
  | 'risk'
  | 'alwaysRule'
  | 'createdAt'
>;

/** SQL for `approvals`. A decision is one compare-and-set from `pending`. */
@Injectable()
export class ApprovalRepository {
  constructor(private readonly sqlite: Sqlite) {}

  insert(approval: NewApproval): number {
    return Number(
      this.sqlite
        .prepare(
          `INSERT INTO approvals (session_id, conversation_key, turn_key, tool_name, input,
             high_risk, risk, always_rule, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
        )
        .run(
          approval.sessionId,
          approval.conversationKey,
          approval.turnKey,
          approval.toolName,
          approval.input,
          approval.highRisk ? 1 : 0,
          approval.risk,
          approval.alwaysRule,
          approval.createdAt,
        ).lastInsertRowid,
    );
  }

  /** The question went into the outbox as row `outboxId`. */
  setMessage(id: number, message: string, outboxId: number): void {
    this.sqlite
      .prepare(`UPDATE approvals SET message = ?, outbox_id = ? WHERE id = ?`)
      .run(message, outboxId, id);
  }

  /** Signal took the question; returns the approval it asks, if any. */
  setMessageTimestamp(outboxId: number, timestamp: number): Approval | undefined {
    const row = this.sqlite
      .prepare<[number, number], ApprovalRow>(
        `UPDATE approvals SET message_timestamp = ? WHERE outbox_id = ? RETURNING ${APPROVAL_COLUMNS}`,
      )
      .get(timestamp, outboxId);
    return row && toApproval(row);
  }

  /** The approval whose question has this Signal timestamp, in this conversation. */
  findByMessage(conversationKey: string, timestamp: number): Approval | undefined {
    const row = this.sqlite
      .prepare<[string, number], ApprovalRow>(
        `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE conversation_key = ? AND message_timestamp = ?`,
      )
      .get(conversationKey, timestamp);
    return row && toApproval(row);
  }

  /** Pending approvals of one turn. */
  pendingOfTurn(turnKey: string): Approval[] {
    return this.sqlite
      .prepare<[string], ApprovalRow>(
        `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE state = 'pending' AND turn_key = ? ORDER BY id`,
      )
      .all(turnKey)
      .map(toApproval);
  }

  find(id: number): Approval | undefined {
    const row = this.sqlite
      .prepare<[number], ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE id = ?`)
      .get(id);
    return row && toApproval(row);
  }

  /** Moves a pending approval to `state`; false when it was no longer pending. */
  decide(id: number, state: ApprovalState, reason: string | null, at: string): boolean {
    return (
      this.sqlite
        .prepare(
          `UPDATE approvals SET state = ?, reason = ?, decided_at = ? WHERE id = ? AND state = 'pending'`,
        )
        .run(state, reason, at, id).changes === 1
    );
  }

  /** How many approvals wait for the owner, in every conversation. */
  pendingCount(): number {
    return this.sqlite
      .prepare<[], { n: number }>(`SELECT count(*) AS n FROM approvals WHERE state = 'pending'`)
      .get()?.n as number;
  }

  /** The pending approvals of one conversation, oldest first. */
  pendingIn(conversationKey: string): Approval[] {
    return this.sqlite
      .prepare<[string], ApprovalRow>(
        `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE state = 'pending' AND conversation_key = ? ORDER BY id`,
      )
      .all(conversationKey)
      .map(toApproval);
  }

  /** Every pending approval becomes expired (boot: nobody is waiting for them any more). */
  expireAllPending(reason: string, at: string): Approval[] {
    return this.sqlite
      .prepare<[string, string], ApprovalRow>(
        `UPDATE approvals SET state = 'expired', reason = ?, decided_at = ? WHERE state = 'pending'
         RETURNING ${APPROVAL_COLUMNS}`,
      )
      .all(reason, at)
      .map(toApproval);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** Approval requests, and what a session needs to run agent turns (its pid while running). */
export class AgentAndApprovals1764338800000 implements MigrationInterface {
  name = 'AgentAndApprovals1764338800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "approvals" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "session_id" varchar NOT NULL, "conversation_key" varchar NOT NULL, "turn_key" varchar NOT NULL, "tool_name" varchar NOT NULL, "input" text NOT NULL, "high_risk" boolean NOT NULL DEFAULT (0), "state" varchar NOT NULL, "reason" text, "created_at" varchar NOT NULL, "decided_at" varchar, "outbox_id" integer, "message" text NOT NULL DEFAULT (''), "message_timestamp" integer)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_approvals_pending" ON "approvals" ("state", "conversation_key") `,
    );
    // ADD COLUMN, not a table rebuild: sessions may hold a million rows.
    await queryRunner.query(`ALTER TABLE "sessions" ADD COLUMN "agent_pid" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "agent_pid"`);
    await queryRunner.query(`DROP INDEX "idx_approvals_pending"`);
    await queryRunner.query(`DROP TABLE "approvals"`);
  }
}

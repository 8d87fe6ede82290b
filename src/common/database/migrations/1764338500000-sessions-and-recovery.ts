import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions, their bounded activity log, and the record of boot-time recoveries. */
export class SessionsAndRecovery1764338500000 implements MigrationInterface {
  name = 'SessionsAndRecovery1764338500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" varchar PRIMARY KEY NOT NULL, "conversation_id" varchar NOT NULL, "project_path" varchar NOT NULL, "status" varchar NOT NULL, "agent_session_id" varchar, "context" text NOT NULL, "recovered_at" varchar, "created_at" varchar NOT NULL, "updated_at" varchar NOT NULL, "last_activity_at" varchar, "activity_dropped" integer NOT NULL DEFAULT (0)) WITHOUT ROWID`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sessions_active" ON "sessions" ("status") WHERE "status" = 'ACTIVE'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sessions_conversation" ON "sessions" ("conversation_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "session_activity" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "session_id" varchar NOT NULL, "kind" varchar NOT NULL, "details" text NOT NULL, "created_at" varchar NOT NULL, "summarized" boolean NOT NULL DEFAULT (0), CONSTRAINT "FK_c35b973d03a774a4471f1b89ab9" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_session_activity_session" ON "session_activity" ("session_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "recovery_runs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ran_at" varchar NOT NULL, "session_ids" text NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "recovery_runs"`);
    await queryRunner.query(`DROP INDEX "idx_session_activity_session"`);
    await queryRunner.query(`DROP TABLE "session_activity"`);
    await queryRunner.query(`DROP INDEX "idx_sessions_conversation"`);
    await queryRunner.query(`DROP INDEX "idx_sessions_active"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}

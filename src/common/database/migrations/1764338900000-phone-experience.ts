import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-conversation settings (verbosity, muted kinds), each turn's usage, quiet outbox rows. */
export class PhoneExperience1764338900000 implements MigrationInterface {
  name = 'PhoneExperience1764338900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "conversation_settings" ("conversation_key" varchar PRIMARY KEY NOT NULL, "verbosity" varchar NOT NULL DEFAULT ('normal'), "muted" text NOT NULL DEFAULT ('[]'), "updated_at" varchar NOT NULL) WITHOUT ROWID`,
    );
    await queryRunner.query(
      `CREATE TABLE "turn_usage" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "session_id" varchar NOT NULL, "conversation_key" varchar NOT NULL, "day" varchar NOT NULL, "duration_ms" integer NOT NULL, "num_turns" integer, "cost_usd" real, "created_at" varchar NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_turn_usage_session" ON "turn_usage" ("session_id") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_turn_usage_day" ON "turn_usage" ("day") `);
    await queryRunner.query(
      `ALTER TABLE "outbox_messages" ADD COLUMN "quiet" boolean NOT NULL DEFAULT (0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "quiet"`);
    await queryRunner.query(`DROP INDEX "idx_turn_usage_day"`);
    await queryRunner.query(`DROP INDEX "idx_turn_usage_session"`);
    await queryRunner.query(`DROP TABLE "turn_usage"`);
    await queryRunner.query(`DROP TABLE "conversation_settings"`);
  }
}

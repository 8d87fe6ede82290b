import { MigrationInterface, QueryRunner } from 'typeorm';

/** The durable outbox: every message to the phone is a row before it is sent. */
export class Outbox1764338700000 implements MigrationInterface {
  name = 'Outbox1764338700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "outbox_messages" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "conversation_key" varchar NOT NULL, "target" text NOT NULL, "body" text NOT NULL, "kind" varchar NOT NULL, "state" varchar NOT NULL, "turn_key" varchar, "edit_of" integer, "folded" integer NOT NULL DEFAULT (0), "parts_sent" integer NOT NULL DEFAULT (0), "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" varchar NOT NULL, "created_at" varchar NOT NULL, "sent_at" varchar, "signal_timestamp" integer, "error" text, "priority" integer NOT NULL DEFAULT (1))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_outbox_next" ON "outbox_messages" ("state", "priority", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_outbox_next"`);
    await queryRunner.query(`DROP TABLE "outbox_messages"`);
  }
}

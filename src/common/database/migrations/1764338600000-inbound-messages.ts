import { MigrationInterface, QueryRunner } from 'typeorm';

/** The durable record of inbound messages: de-duplication and "received but never handled". */
export class InboundMessages1764338600000 implements MigrationInterface {
  name = 'InboundMessages1764338600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "inbound_messages" ("key" varchar PRIMARY KEY NOT NULL, "conversation_id" varchar NOT NULL, "message" text NOT NULL, "state" varchar NOT NULL, "received_at" varchar NOT NULL, "handled_at" varchar)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_inbound_state" ON "inbound_messages" ("state", "received_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_inbound_state"`);
    await queryRunner.query(`DROP TABLE "inbound_messages"`);
  }
}

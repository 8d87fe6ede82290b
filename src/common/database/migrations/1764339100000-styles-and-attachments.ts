import { MigrationInterface, QueryRunner } from 'typeorm';

/** Outgoing messages may carry text styles (code in monospace) and a file. */
export class StylesAndAttachments1764339100000 implements MigrationInterface {
  name = 'StylesAndAttachments1764339100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD COLUMN "styles" text`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD COLUMN "attachment" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "attachment"`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "styles"`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** The project folder each conversation is bound to (`/use`, `/new`). */
export class ProjectBindings1764339000000 implements MigrationInterface {
  name = 'ProjectBindings1764339000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "conversation_settings" ADD COLUMN "project" varchar`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "conversation_settings" DROP COLUMN "project"`);
  }
}

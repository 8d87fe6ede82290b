import { MigrationInterface, QueryRunner } from 'typeorm';

/** An approval keeps why it is high risk, and the rule `/always` would add (Claude Code's own). */
export class ApprovalRiskAndRule1764339400000 implements MigrationInterface {
  name = 'ApprovalRiskAndRule1764339400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "approvals" ADD COLUMN "risk" text`);
    await queryRunner.query(`ALTER TABLE "approvals" ADD COLUMN "always_rule" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "always_rule"`);
    await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "risk"`);
  }
}

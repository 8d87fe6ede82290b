import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions with a running agent, indexed: the boot's orphan check reads only those, not every
 * session ever made (a full scan of a million rows took 150 ms of the crash-to-ready time).
 */
export class AgentPidIndex1764339200000 implements MigrationInterface {
  name = 'AgentPidIndex1764339200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_sessions_agent_pid" ON "sessions" ("agent_pid") WHERE "agent_pid" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_sessions_agent_pid"`);
  }
}

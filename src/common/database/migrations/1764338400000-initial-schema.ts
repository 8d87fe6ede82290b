import { MigrationInterface, QueryRunner } from 'typeorm';

/** The health probe row readiness writes to, proving the database accepts writes. */
export class InitialSchema1764338400000 implements MigrationInterface {
  name = 'InitialSchema1764338400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "health_probe" ("id" integer PRIMARY KEY NOT NULL CHECK ("id" = 1), "checked_at" varchar NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "health_probe" ("id", "checked_at") VALUES (1, '1970-01-01T00:00:00.000Z')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "health_probe"`);
  }
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/common/config';

export const BOT_ACCOUNT_FOR_BENCH = '+15550100000';

/**
 * The real application (no HTTP listener) on a fresh database in `dir`. Signal points at the
 * discard port: nothing answers, so intake just waits to retry while the bench runs.
 */
export async function benchApp(dir: string): Promise<INestApplicationContext> {
  const projects = join(dir, 'projects');
  mkdirSync(projects, { recursive: true });
  const config = loadConfig({
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'silent',
    SIGNAL_ACCOUNT: BOT_ACCOUNT_FOR_BENCH,
    SIGNAL_URL: 'http://127.0.0.1:9',
    AUTHORIZED_SENDERS: '+15550100001',
    PROJECT_ROOTS: projects,
  });
  return NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
}

/** A database file in `dir` with the app's schema (migrations applied), app closed again. */
export async function migratedDatabase(dir: string): Promise<string> {
  const app = await benchApp(dir);
  await app.close();
  return join(dir, 'data', 'bridge.sqlite');
}

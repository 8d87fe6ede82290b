import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/common/config';
import { SignalTransport } from '../src/modules/signal';

export const BOT_ACCOUNT_FOR_BENCH = '+15550100000';

export interface BenchAppOptions {
  /** Extra environment over the defaults below. */
  env?: Record<string, string>;
  /** A transport to use instead of the configured one. */
  transport?: SignalTransport;
  /** Further provider overrides. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/**
 * The real application (no HTTP listener) on a fresh database in `dir`. By default Signal
 * points at the discard port: nothing answers, so the link just waits to retry.
 */
export async function benchApp(
  dir: string,
  options: BenchAppOptions = {},
): Promise<INestApplicationContext> {
  const projects = join(dir, 'projects');
  mkdirSync(projects, { recursive: true });
  const config = loadConfig({
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'silent',
    SIGNAL_ACCOUNT: BOT_ACCOUNT_FOR_BENCH,
    SIGNAL_URL: 'http://127.0.0.1:9',
    AUTHORIZED_SENDERS: '+15550100001',
    PROJECT_ROOTS: projects,
    ...options.env,
  });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (options.transport)
    builder = builder.overrideProvider(SignalTransport).useValue(options.transport);
  if (options.override) builder = options.override(builder);
  const app = (await builder.compile()).createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** A database file in `dir` with the app's schema (migrations applied), app closed again. */
export async function migratedDatabase(dir: string): Promise<string> {
  const app = await benchApp(dir);
  await app.close();
  return join(dir, 'data', 'bridge.sqlite');
}

import { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { Clock, FakeClock } from '../../src/common/clock';
import { ConfigEnvironment } from '../../src/common/config';
import { makeTempDir } from './temp-dir';
import { testConfig } from './test-config';

export interface TestApp {
  app: INestApplication;
  clock: FakeClock;
  /** The temp directory holding the database and project root. */
  dir: string;
  /** Closes the app and removes the temp directory. */
  close(): Promise<void>;
}

export interface CreateAppOptions {
  /** Extra environment, e.g. `{ ACTIVITY_LOG_SIZE: '5' }`. */
  env?: ConfigEnvironment;
  /** Reuse a directory (and so a database) from an earlier app; it is then not removed. */
  dir?: string;
  clock?: FakeClock;
  /** Extra modules beside the app's, as a new feature module would be added. */
  imports?: ModuleMetadata['imports'];
  /** Override providers to inject faults before the app compiles. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Listen on an ephemeral loopback port (needed for HTTP tests). Default true. */
  listen?: boolean;
}

/** Boots the real `AppModule` on a temp database with a fake clock. */
export async function createApp(options: CreateAppOptions = {}): Promise<TestApp> {
  const temp = options.dir ? undefined : makeTempDir();
  const dir = options.dir ?? (temp as { path: string }).path;
  const clock = options.clock ?? new FakeClock();
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoot(testConfig(dir, options.env)), ...(options.imports ?? [])],
  })
    .overrideProvider(Clock)
    .useValue(clock);
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: false });
  if (options.listen === false) await app.init();
  else await app.listen(0, '127.0.0.1');
  return {
    app,
    clock,
    dir,
    close: async () => {
      await app.close();
      temp?.remove();
    },
  };
}

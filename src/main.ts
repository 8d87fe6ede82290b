import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigError, loadConfig } from './common/config';
import { ProcessGuard } from './common/metrics';

/** Reads the environment once and boots the daemon; resolves once it listens. */
async function boot(): Promise<void> {
  let config: AppConfig;
  try {
    if (existsSync('.env')) process.loadEnvFile('.env');
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Logs wait for pino; a failed start prints only our one-line cause, not Nest's stack.
    bufferLogs: true,
    autoFlushLogs: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs(); // autoFlushLogs is off, so the buffer is only emptied (and detached) here
  app.get(ProcessGuard).install(app.get(Logger));
  // Nest re-raises the signal after closing unless told to exit; we want exit code 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  try {
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    await app.close();
    throw describeListenError(error, config);
  }
  const address = app.getHttpServer().address() as { address: string; port: number };
  app.get(Logger).log({ msg: 'listening', host: address.address, port: address.port }, 'Main');
}

function describeListenError(error: unknown, config: AppConfig): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.http.host}:${config.http.port}`;
  if (code === 'EADDRINUSE') return new Error(`HTTP_PORT: ${where} is already in use`);
  if (code === 'EADDRNOTAVAIL')
    return new Error(`HTTP_HOST: ${where} is not an address of this machine`);
  if (code === 'EACCES') return new Error(`HTTP_PORT: not allowed to listen on ${where}`);
  return error;
}

/**
 * Starts the daemon (`src/daemon.ts` calls this in the bundle); a failure to start prints one
 * line, not a stack, and exits 1.
 */
export async function start(): Promise<void> {
  try {
    await boot();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`claude-signal-bridge failed to start: ${message}\n`);
    process.exit(1);
  }
}

// `node dist/src/main.js`: the same daemon, unbundled.
if (require.main === module) void start();

import { Injectable, LoggerService } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Errors a socket raises when its peer went away: nothing is left in an unknown state. */
const SAFE_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

/**
 * The last resort for what nothing caught: logged and counted
 * (`bridge_uncaught_failures_total{kind}`). A rejected promise nobody awaited, or a socket
 * error, leaves the daemon running; any other uncaught exception ends it with exit 1, so that
 * the service manager restarts it and crash recovery runs. `npm start` installs it.
 */
@Injectable()
export class ProcessGuard {
  private readonly failures: Counter<'kind'>;

  constructor(registry: Registry) {
    this.failures = new Counter({
      name: 'bridge_uncaught_failures_total',
      help: 'Errors nothing caught, by kind: rejection (the daemon goes on) or exception.',
      labelNames: ['kind'],
      registers: [registry],
    });
  }

  install(
    logger: LoggerService,
    exit: (code: number) => void = (code) => process.exit(code),
  ): void {
    process.on('unhandledRejection', (reason) => this.rejected(logger, reason));
    process.on('uncaughtException', (error) => this.thrown(logger, error, exit));
  }

  rejected(logger: LoggerService, reason: unknown): void {
    this.failures.inc({ kind: 'rejection' });
    logger.error(
      { msg: 'a promise failed with nothing to catch it; going on', error: String(reason) },
      'ProcessGuard',
    );
  }

  thrown(logger: LoggerService, error: Error, exit: (code: number) => void): void {
    this.failures.inc({ kind: 'exception' });
    const safe = SAFE_CODES.has((error as NodeJS.ErrnoException).code ?? '');
    logger.error(
      {
        msg: safe
          ? 'a socket failed with nothing to catch it; going on'
          : 'an error nothing caught; exiting so that the service restarts and recovers',
        error: error.message,
      },
      'ProcessGuard',
    );
    if (!safe) exit(1);
  }
}

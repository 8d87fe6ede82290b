import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config';

/**
 * pino for every class logger (`new Logger(ClassName.name)` routes here once `main.ts` calls
 * `app.useLogger`). JSON lines in production, pino-pretty in development.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logging.level,
          autoLogging: false,
          quietReqLogger: true,
          base: { service: 'claude-signal-bridge' },
          transport:
            config.logging.format === 'pretty'
              ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
              : undefined,
        },
      }),
    }),
  ],
})
export class LoggingModule {}

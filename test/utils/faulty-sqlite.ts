import type { Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { Sqlite } from '../../src/common/database';

/**
 * A `Sqlite` whose statements matching `pattern` fail with `message` when run, as a disk or
 * driver fault would, while `armed`. Swap it in with `overrideProvider(Sqlite).useFactory(...)`.
 */
export class FaultySqlite extends Sqlite {
  /** Faults happen only while armed; a test disarms it to show what happens once it heals. */
  armed = true;

  constructor(
    dataSource: DataSource,
    private readonly pattern: RegExp,
    private readonly message = 'disk I/O error',
  ) {
    super(dataSource);
  }

  override prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    const statement = super.prepare<P, R>(sql);
    if (!this.pattern.test(sql)) return statement;
    const fail = (): never => {
      throw Object.assign(new Error(this.message), { code: 'SQLITE_IOERR' });
    };
    return new Proxy(statement, {
      get: (target, key, receiver) => {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (
          typeof value !== 'function' ||
          !['run', 'get', 'all', 'iterate'].includes(String(key))
        ) {
          return value;
        }
        return (...args: unknown[]) => {
          if (this.armed) fail();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}

/** The provider override: `builder.overrideProvider(Sqlite).useFactory(faultySqlite(/…/))`. */
export function faultySqlite(pattern: RegExp, message?: string, armed = true) {
  return {
    inject: [DataSource],
    factory: (dataSource: DataSource) =>
      Object.assign(new FaultySqlite(dataSource, pattern, message), { armed }),
  };
}

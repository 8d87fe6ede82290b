import { Injectable } from '@nestjs/common';
import type { BackupMetadata, Database, Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';

/**
 * Synchronous access to the same better-sqlite3 connection TypeORM opened, for hot paths and
 * for transactions. A better-sqlite3 transaction runs to completion without yielding to the
 * event loop, so concurrent callers can never interleave inside one (TypeORM's async
 * transactions on a single SQLite connection can), and the SQL compare-and-set in a single
 * statement is atomic. Never await I/O inside `transaction`.
 */
@Injectable()
export class Sqlite {
  private readonly statements = new Map<string, Statement>();
  private preparedOn?: Database;

  constructor(private readonly dataSource: DataSource) {}

  private get connection(): Database {
    return (this.dataSource.driver as unknown as { databaseConnection: Database })
      .databaseConnection;
  }

  /** A prepared statement, cached by its SQL text. */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    const connection = this.connection;
    if (this.preparedOn !== connection) {
      this.statements.clear();
      this.preparedOn = connection;
    }
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = connection.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Statement<P, R>;
  }

  /**
   * Runs `work` without waiting for other connections' locks: busy is answered at once instead of
   * after DATABASE_BUSY_TIMEOUT_MS, for work that can simply try again later.
   */
  withoutWaiting<T>(work: () => T): T {
    const connection = this.connection;
    const timeout = connection.pragma('busy_timeout', { simple: true }) as number;
    connection.pragma('busy_timeout = 0');
    try {
      return work();
    } finally {
      connection.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** Whether a transaction is open on the connection (work now may still be rolled back). */
  get inTransaction(): boolean {
    return this.connection.inTransaction;
  }

  /**
   * Runs `work` in one transaction (nested calls become savepoints); a throw rolls it back.
   * It takes the write lock up front (BEGIN IMMEDIATE): a read-then-write transaction that
   * started deferred could otherwise be overtaken by another connection's write in between.
   */
  transaction<T>(work: () => T): T {
    return this.connection.transaction(work).immediate();
  }

  /**
   * Copies the live database into the new file `destination` with SQLite's online backup API:
   * a batch of pages per turn of the event loop, so other work goes on meanwhile. `nextStep`
   * sees the progress after each batch and returns how many pages to copy next.
   */
  backup(
    destination: string,
    nextStep: (progress: BackupMetadata) => number,
  ): Promise<BackupMetadata> {
    return this.connection.backup(destination, { progress: nextStep });
  }
}

import { join } from 'node:path';
import { BenchResult, BenchSuite, benchDir, openRawDatabase, opsPerSecond } from './harness';

const ROWS = 20_000;

/**
 * The limit every storage figure is held against: raw better-sqlite3 on this machine, with
 * the app's pragmas, one statement per transaction and all in one transaction.
 */
export const storageBaseline: BenchSuite = {
  name: 'sqlite',
  async run(): Promise<BenchResult[]> {
    const db = openRawDatabase(join(benchDir(), 'baseline.sqlite'));
    db.exec('CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER NOT NULL)');
    const insert = db.prepare('INSERT INTO item (id, body, n) VALUES (?, ?, 0)');
    const update = db.prepare('UPDATE item SET n = n + 1 WHERE id = ?');
    let next = 1;

    const insertSingle = await opsPerSecond(ROWS, () => insert.run(next++, 'x'.repeat(64)));
    const insertTx = await opsPerSecond(
      1,
      () =>
        db.transaction(() => {
          for (let i = 0; i < ROWS; i++) insert.run(next++, 'x'.repeat(64));
        })(),
      0,
    );
    const updateSingle = await opsPerSecond(ROWS, (i) => update.run((Math.abs(i) % ROWS) + 1));
    const updateTx = await opsPerSecond(
      1,
      () =>
        db.transaction(() => {
          for (let i = 0; i < ROWS; i++) update.run(i + 1);
        })(),
      0,
    );
    db.close();
    return [
      { name: 'sqlite.insert.autocommit', value: insertSingle, unit: 'rows/s' },
      { name: 'sqlite.insert.transaction', value: insertTx * ROWS, unit: 'rows/s' },
      { name: 'sqlite.update.autocommit', value: updateSingle, unit: 'rows/s' },
      { name: 'sqlite.update.transaction', value: updateTx * ROWS, unit: 'rows/s' },
    ];
  },
};

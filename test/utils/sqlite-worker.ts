import { Worker } from 'node:worker_threads';

/**
 * Runs `body` in a worker thread with its own better-sqlite3 connection to `dbPath` (WAL,
 * busy timeout as the app's), so it truly runs at the same time as the app's connection.
 * `body` is the source of a function `(db, data) => result`; the promise resolves with
 * its result.
 */
export function runInSqliteWorker<T>(
  dbPath: string,
  body: string,
  data: unknown = null,
): Promise<T> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(workerData.dbPath, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    try {
      const result = (${body})(db, workerData.data);
      parentPort.postMessage({ ok: true, result });
    } catch (error) {
      parentPort.postMessage({ ok: false, error: String(error && error.stack || error) });
    } finally {
      db.close();
    }
  `;
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { dbPath, data } });
    worker.once('message', (message: { ok: boolean; result?: T; error?: string }) => {
      if (message.ok) resolve(message.result as T);
      else reject(new Error(message.error));
    });
    worker.once('error', reject);
  });
}

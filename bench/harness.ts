import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_PRAGMAS } from '../src/common/database/data-source-options';

export interface BenchResult {
  /** What was measured, dotted: `sessions.create`, `recovery.10000`. */
  name: string;
  value: number;
  unit: string;
  /** value / the limit measured in the same run (e.g. raw better-sqlite3), where one exists. */
  ratio?: number;
  /** The limit's own figure, printed beside the value in human output. */
  limit?: number;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchResult[]>;
}

/** Operations per second of `op` run `count` times (after a short warm-up). */
export async function opsPerSecond(
  count: number,
  op: (i: number) => unknown,
  warmup = Math.min(200, count),
): Promise<number> {
  for (let i = 0; i < warmup; i++) await op(-1 - i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await op(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

/** Milliseconds taken by `fn`. */
export async function elapsedMs(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const scratch: string[] = [];
process.on('exit', () => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A scratch directory removed at process exit. */
export function benchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'csb-bench-'));
  scratch.push(dir);
  return dir;
}

/** A raw better-sqlite3 connection with the same pragmas the app's DataSource sets. */
export function openRawDatabase(path: string): Database.Database {
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  return db;
}

/** Each figure's median over several rounds, so one slow checkpoint does not decide it. */
export function medians(rounds: readonly Record<string, number>[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of Object.keys(rounds[0] ?? {})) {
    const values = rounds.map((r) => r[name]).sort((a, b) => a - b);
    result[name] = values[Math.floor(values.length / 2)];
  }
  return result;
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** Math.max(0, digits - Math.ceil(Math.log10(Math.abs(value) + 1)));
  return Math.round(value * scale) / scale;
}

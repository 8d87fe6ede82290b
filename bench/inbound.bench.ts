import { BOT_ACCOUNT_FOR_BENCH, benchApp, migratedDatabase } from './app-context';
import { InboundPipeline } from '../src/modules/signal';
import { BenchResult, BenchSuite, benchDir, openRawDatabase, opsPerSecond } from './harness';

const MESSAGES = 20_000;
const OWNER = '+15550100001';

/**
 * The inbound pipeline on the real app: JSON parse, envelope parse, authorization, durable
 * once-only record, a no-op handler, the handled mark. Each message is processed alone, so the
 * latency is one message's, and the rate is what one event loop sustains.
 */
export const inboundBench: BenchSuite = {
  name: 'inbound',
  async run(): Promise<BenchResult[]> {
    const app = await benchApp(benchDir());
    const pipeline = app.get(InboundPipeline);
    pipeline.setHandler(async () => undefined);
    const raws = Array.from({ length: MESSAGES + 500 }, (_, i) =>
      JSON.stringify({
        envelope: {
          source: OWNER,
          sourceNumber: OWNER,
          sourceUuid: 'a11ce000-0000-4000-8000-000000000001',
          sourceName: 'Owner',
          sourceDevice: 1,
          timestamp: 1_787_217_300_000 + i,
          serverReceivedTimestamp: 1_787_217_300_212 + i,
          dataMessage: {
            timestamp: 1_787_217_300_000 + i,
            message: `prompt number ${i}`,
            expiresInSeconds: 0,
          },
        },
        account: BOT_ACCOUNT_FOR_BENCH,
      }),
    );
    for (let i = 0; i < 500; i++) await pipeline.process(raws[MESSAGES + i]); // warm-up
    const latencies = new Float64Array(MESSAGES);
    const start = process.hrtime.bigint();
    for (let i = 0; i < MESSAGES; i++) {
      const t0 = process.hrtime.bigint();
      const outcome = await pipeline.process(raws[i]);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      if (outcome !== 'handled') throw new Error(`message ${i} was ${outcome}`);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await app.close();
    const rate = MESSAGES / seconds;
    const limit = await rawWrites(raws);
    latencies.sort();
    const at = (q: number) => latencies[Math.min(MESSAGES - 1, Math.floor(q * MESSAGES))];
    return [
      { name: 'inbound.pipeline', value: rate, unit: 'msg/s', ratio: rate / limit, limit },
      { name: 'inbound.pipeline.p50', value: at(0.5), unit: 'ms' },
      { name: 'inbound.pipeline.p99', value: at(0.99), unit: 'ms' },
    ];
  },
};

/** The limit: raw better-sqlite3 doing the pipeline's two writes per message (record, mark). */
async function rawWrites(raws: string[]): Promise<number> {
  const db = openRawDatabase(await migratedDatabase(benchDir()));
  const record =
    db.prepare(`INSERT INTO inbound_messages (key, conversation_id, message, state, received_at)
    VALUES (?, ?, ?, 'received', ?) ON CONFLICT (key) DO NOTHING`);
  const mark = db.prepare(
    `UPDATE inbound_messages SET state = 'handled', handled_at = ? WHERE key = ?`,
  );
  const rate = await opsPerSecond(MESSAGES, (i) => {
    const key = `a11ce000-0000-4000-8000-000000000001:1:${i + 1000}`;
    const at = new Date().toISOString();
    record.run(key, 'dm:a11ce000-0000-4000-8000-000000000001', raws[Math.abs(i) % raws.length], at);
    mark.run(at, key);
  });
  db.close();
  return rate;
}

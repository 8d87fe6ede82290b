import { BOT_ACCOUNT_FOR_BENCH, benchApp, migratedDatabase } from './app-context';
import { CommandDispatcher } from '../src/modules/commands';
import { InboundPipeline } from '../src/modules/signal/inbound-pipeline.service';
import { buildEnvelope } from '../src/simulator/phone';
import { BenchResult, BenchSuite, benchDir, openRawDatabase, opsPerSecond } from './harness';

const MESSAGES = 20_000;
const OWNER = {
  number: '+15550100001',
  uuid: 'a11ce000-0000-4000-8000-000000000001',
  name: 'Owner',
};

/**
 * The inbound pipeline on the real app: JSON parse, envelope parse, authorization, durable
 * once-only record, a no-op dispatcher, the handled mark. Each message is processed alone, so the
 * latency is one message's, and the rate is what one event loop sustains.
 */
export const inboundBench: BenchSuite = {
  name: 'inbound',
  async run(): Promise<BenchResult[]> {
    const noop = { handle: async () => 'handled' };
    const app = await benchApp(benchDir(), {
      override: (b) => b.overrideProvider(CommandDispatcher).useValue(noop),
    });
    const pipeline = app.get(InboundPipeline);
    const raws = Array.from({ length: MESSAGES + 500 }, (_, i) =>
      JSON.stringify(
        buildEnvelope(
          BOT_ACCOUNT_FOR_BENCH,
          { from: OWNER, text: `prompt number ${i}` },
          1_787_217_300_000 + i,
        ),
      ),
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

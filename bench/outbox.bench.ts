import { SystemClock } from '../src/common/clock';
import { OutboxService } from '../src/modules/outbox';
import { OutboxDispatcher } from '../src/modules/outbox/outbox-dispatcher.service';
import { SendOutcome, SignalTransport, Stream } from '../src/modules/signal';
import { SignalSimulator } from '../src/simulator/signal-simulator';
import { benchApp, migratedDatabase } from './app-context';
import {
  BenchResult,
  BenchSuite,
  benchDir,
  elapsedMs,
  openRawDatabase,
  opsPerSecond,
} from './harness';

const ENQUEUES = 20_000;
const DISPATCHES = 5_000;
const PACED_PER_MINUTE = 600;
const PACED_MESSAGES = 201; // 200 intervals of 100 ms: 20 s
const TARGET = JSON.stringify({ kind: 'dm', peer: 'a11ce000-0000-4000-8000-000000000001' });
const DM = { kind: 'dm', peer: 'a11ce000-0000-4000-8000-000000000001' } as const;

/** A transport that accepts every send at once: dispatch overhead without any network. */
class NoopTransport extends SignalTransport {
  readonly kind = 'noop';
  readonly silenceLimitMs = 30_000;
  private timestamp = 1;
  openStream(): Promise<Stream> {
    return Promise.resolve({ close: () => undefined });
  }
  send(): Promise<SendOutcome> {
    return Promise.resolve({
      timestamp: this.timestamp++,
      recipients: [{ address: null, status: 'sent' }],
    });
  }
  sendTyping(): Promise<void> {
    return Promise.resolve();
  }
  fetchAttachment(): Promise<Buffer> {
    return Promise.resolve(Buffer.alloc(0));
  }
  submitRateLimitChallenge(): Promise<void> {
    return Promise.resolve();
  }
  check(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

/**
 * The outbox: enqueue rate and per-message dispatch cost beside raw better-sqlite3 doing the
 * same writes, and pacing accuracy with the real clock against the simulator enforcing the
 * same limit.
 */
export const outboxBench: BenchSuite = {
  name: 'outbox',
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = [];

    // Enqueue: nothing can be sent (Signal unreachable), so rows only accumulate.
    const enqueueApp = await benchApp(benchDir(), {
      env: { OUTBOX_MAX_PENDING: String(10 * ENQUEUES) },
    });
    const outbox = enqueueApp.get(OutboxService);
    const enqueueRate = await opsPerSecond(ENQUEUES, (i) =>
      outbox.enqueue({ to: DM, body: `reply number ${i}`, kind: 'reply' }),
    );
    await enqueueApp.close();
    const raw = openRawDatabase(await migratedDatabase(benchDir()));
    const insert =
      raw.prepare(`INSERT INTO outbox_messages (conversation_key, target, body, kind, state,
      turn_key, edit_of, next_attempt_at, created_at) VALUES (?, ?, ?, 'reply', 'pending', NULL, NULL, ?, ?)`);
    const rawEnqueue = await opsPerSecond(ENQUEUES, (i) => {
      const at = new Date().toISOString();
      insert.run('dm:x', TARGET, `reply number ${i}`, at, at);
    });
    results.push({
      name: 'outbox.enqueue',
      value: enqueueRate,
      unit: 'msg/s',
      ratio: enqueueRate / rawEnqueue,
      limit: rawEnqueue,
    });

    // Dispatch: limiter effectively off, transport a no-op.
    const dispatchApp = await benchApp(benchDir(), {
      env: { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' },
      transport: new NoopTransport(),
    });
    const dispatchOutbox = dispatchApp.get(OutboxService);
    const dispatcher = dispatchApp.get(OutboxDispatcher);
    const ms = await elapsedMs(async () => {
      for (let i = 0; i < DISPATCHES; i++)
        dispatchOutbox.enqueue({ to: DM, body: `m${i}`, kind: 'reply' });
      while (dispatchOutbox.depth() > 0 || dispatcher.sending)
        await new Promise((r) => setImmediate(r));
    });
    await dispatchApp.close();
    const rawDispatch = await rawDispatchMs(raw);
    raw.close();
    const perMessage = (ms * 1000) / DISPATCHES;
    const rawPerMessage = (rawDispatch * 1000) / DISPATCHES;
    results.push({
      name: 'outbox.enqueue_and_dispatch',
      value: perMessage,
      unit: 'us/msg',
      ratio: perMessage / rawPerMessage,
      limit: rawPerMessage,
    });

    results.push(...(await pacing()));
    return results;
  },
};

/** Raw: the same insert, then per message the head read and the sent mark. */
async function rawDispatchMs(db: ReturnType<typeof openRawDatabase>): Promise<number> {
  db.exec('DELETE FROM outbox_messages');
  const insert =
    db.prepare(`INSERT INTO outbox_messages (conversation_key, target, body, kind, state,
    turn_key, edit_of, next_attempt_at, created_at) VALUES (?, ?, ?, 'reply', 'pending', NULL, NULL, ?, ?)`);
  const head = db.prepare(
    `SELECT * FROM outbox_messages WHERE state = 'pending' ORDER BY priority, id LIMIT 1`,
  );
  const mark =
    db.prepare(`UPDATE outbox_messages SET parts_sent = 1, signal_timestamp = ?, attempts = 0,
    state = 'sent', sent_at = ? WHERE id = ?`);
  return elapsedMs(() => {
    for (let i = 0; i < DISPATCHES; i++) {
      const at = new Date().toISOString();
      insert.run('dm:x', TARGET, `m${i}`, at, at);
    }
    for (
      let row = head.get() as { id: number } | undefined;
      row;
      row = head.get() as { id: number } | undefined
    ) {
      JSON.parse(TARGET);
      mark.run(row.id, new Date().toISOString(), row.id);
    }
  });
}

/** Real clock, 600/min, burst 1, the simulator enforcing the same rate: achieved / configured. */
async function pacing(): Promise<BenchResult[]> {
  const sim = new SignalSimulator({ account: '+15550100000', clock: new SystemClock() });
  const url = await sim.start();
  // The same sustained limit; one message of slack so loopback jitter (a request arriving a
  // millisecond early relative to the previous one) is not mistaken for speeding.
  sim.limitSendRate(PACED_PER_MINUTE, 2);
  const paced = await benchApp(benchDir(), {
    env: {
      SIGNAL_URL: url,
      RATE_LIMIT_PER_MINUTE: String(PACED_PER_MINUTE),
      RATE_LIMIT_BURST: '1',
    },
  });
  const outbox = paced.get(OutboxService);
  const started = process.hrtime.bigint();
  for (let i = 0; i < PACED_MESSAGES; i++)
    outbox.enqueue({ to: DM, body: `paced ${i}`, kind: 'reply' });
  while (sim.sent.length < PACED_MESSAGES) await new Promise((r) => setTimeout(r, 20));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rejected = sim.requests.filter((r) => r.path === 'rpc:send').length - sim.sent.length;
  await paced.close();
  await sim.stop();
  const achievedPerMinute = ((PACED_MESSAGES - 1) / seconds) * 60;
  return [
    {
      name: 'outbox.pacing_600_per_min',
      value: achievedPerMinute,
      unit: 'msg/min',
      ratio: achievedPerMinute / PACED_PER_MINUTE,
      limit: PACED_PER_MINUTE,
    },
    { name: 'outbox.pacing_rate_limit_answers', value: rejected, unit: 'answers' },
  ];
}

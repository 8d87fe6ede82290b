import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Clock, FakeClock } from '../src/common/clock';
import { AgentEvent, AgentRun, AgentRunner, TurnRequest } from '../src/modules/agent';
import { OutboxService } from '../src/modules/outbox';
import { OutboxDispatcher } from '../src/modules/outbox/outbox-dispatcher.service';
import { ConnectionSupervisor } from '../src/modules/resilience';
import { ConversationSettingsService } from '../src/modules/sessions';
import { SignalSimulator } from '../src/simulator/signal-simulator';
import { BOT_ACCOUNT_FOR_BENCH, benchApp } from './app-context';
import { BenchResult, BenchSuite, benchDir } from './harness';

const TOOL_CALLS = 40;
const OWNER = {
  number: '+15550100001',
  uuid: 'a11ce000-0000-4000-8000-000000000001',
  name: 'Owner',
};
const CONVERSATION = `dm:${OWNER.uuid}`;
/** The aim at normal verbosity: at most this many messages (plus edits) for such a turn. */
const NORMAL_AIM = 3;

/** An in-process agent that makes 40 tool calls, one each time `next()` is called, then ends. */
class FortyCalls extends AgentRunner {
  private wake?: () => void;
  private begun!: () => void;
  /** Resolves once the turn has started (the prompt may wait on a real sandbox probe first). */
  readonly started = new Promise<void>((resolve) => (this.begun = resolve));

  next(): void {
    this.wake?.();
  }

  start(_turn: TurnRequest): AgentRun {
    this.begun();
    const step = (): Promise<void> => new Promise((resolve) => (this.wake = resolve));
    async function* events(): AsyncGenerator<AgentEvent> {
      yield { type: 'init', sessionId: '33333333-3333-4333-8333-333333333333' };
      for (let i = 1; i <= TOOL_CALLS; i++) {
        await step();
        yield {
          type: 'tool',
          id: `call-${i}`,
          name: 'Read',
          input: { file_path: `src/file-${i}.ts` },
        };
      }
      await step();
      yield {
        type: 'result',
        ok: true,
        subtype: 'success',
        sessionId: null,
        text: 'Read forty files.',
        errors: [],
        apiErrorStatus: null,
        costUsd: null,
        durationMs: null,
        numTurns: null,
      };
    }
    return {
      events: events(),
      pid: undefined,
      sandboxed: false,
      exited: true,
      whenExited: Promise.resolve(),
      interrupt: async () => undefined,
      kill: () => undefined,
    };
  }
}

/**
 * Message economy: one turn of 40 tool calls, one a second, at each verbosity, over the Signal
 * simulator at the default sending pace (30 a minute, bursts of 5), on a fake clock. Counts what
 * reached the phone: new messages, edits, and messages per tool call. The aim at normal is at
 * most 3 messages plus edits; its ratio is messages / 3.
 */
export const progressBench: BenchSuite = {
  name: 'progress',
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    for (const verbosity of ['quiet', 'normal', 'verbose'] as const) {
      const sent = await oneTurn(verbosity);
      const messages = sent.filter((s) => s.editTimestamp === null).length;
      const edits = sent.length - messages;
      const name = `progress.${verbosity}.40_tool_calls`;
      const aim = verbosity === 'normal' ? { ratio: messages / NORMAL_AIM, limit: NORMAL_AIM } : {};
      results.push(
        { name: `${name}.messages`, value: messages, unit: 'messages', ...aim },
        { name: `${name}.edits`, value: edits, unit: 'edits' },
        { name: `${name}.per_tool_call`, value: messages / TOOL_CALLS, unit: 'messages' },
      );
    }
    return results;
  },
};

async function oneTurn(verbosity: 'quiet' | 'normal' | 'verbose') {
  const dir = benchDir();
  mkdirSync(join(dir, 'projects', 'demo'), { recursive: true });
  const clock = new FakeClock();
  const sim = new SignalSimulator({ account: BOT_ACCOUNT_FOR_BENCH, clock });
  const agent = new FortyCalls();
  const app = await benchApp(dir, {
    env: { SIGNAL_URL: await sim.start() },
    override: (b) =>
      b.overrideProvider(Clock).useValue(clock).overrideProvider(AgentRunner).useValue(agent),
  });
  const dispatcher = app.get(OutboxDispatcher);
  const outbox = app.get(OutboxService);
  /** Lets the daemon and the simulator answer each other (real I/O), without moving the clock. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 50 || dispatcher.sending; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    while (!app.get(ConnectionSupervisor).isConnected) await settle();
    app.get(ConversationSettingsService).setVerbosity(CONVERSATION, verbosity);
    sim.phoneSends({ from: OWNER, text: '/new demo read forty files' });
    await agent.started;
    await settle();
    const before = sim.sent.length; // the answer to /new
    for (let i = 0; i <= TOOL_CALLS; i++) {
      agent.next();
      await settle();
      await clock.advance(1000);
    }
    // Let everything still waiting (paced, or an edit waiting for its interval) go out.
    for (let i = 0; i < 600 && (outbox.depth() > 0 || dispatcher.sending); i++) {
      await settle();
      await clock.advance(1000);
    }
    // A last progress edit may wait for its interval with nothing in the outbox yet.
    for (let i = 0; i < 10; i++) {
      await clock.advance(1000);
      await settle();
    }
    return sim.sent.slice(before);
  } finally {
    await app.close();
    await sim.stop();
  }
}

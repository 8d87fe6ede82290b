import fc from 'fast-check';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AgentRunner, TurnService } from '../../src/modules/agent';
import { SessionsService } from '../../src/modules/sessions';
import { createApp, TestApp } from '../utils/create-app';
import { FakeAgentRunner } from '../utils/fake-agent-runner';
import { waitFor } from '../utils/wait-for';

const TO = { kind: 'dm', peer: 'owner' } as const;

describe('turn properties', () => {
  let t: TestApp;
  const runner = new FakeAgentRunner();
  beforeAll(async () => {
    t = await createApp({
      listen: false,
      override: (b) => b.overrideProvider(AgentRunner).useValue(runner),
    });
    mkdirSync(join(t.dir, 'projects', 'demo'));
  });
  afterAll(() => t.close());

  it('whatever the order of prompts, finishes and stops: every turn ends once, with one message, and nothing keeps running', async () => {
    const sessions = t.app.get(SessionsService);
    const turns = t.app.get(TurnService);
    const ends = async (): Promise<number> =>
      (
        (await t.app
          .get(DataSource)
          .query(
            `SELECT count(*) AS n FROM outbox_messages WHERE kind IN ('result', 'error')`,
          )) as { n: number }[]
      )[0].n;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('prompt', 'finish', 'stop'), { maxLength: 25 }),
        async (actions) => {
          const session = await sessions.create({ conversationId: 'dm:owner', project: 'demo' });
          await sessions.transition(session.id, 'ACTIVE');
          const firstTurn = runner.turns.length;
          const endsBefore = await ends();
          const open = () =>
            runner.turns.slice(firstTurn).filter((turn) => !turn.finished && !turn.interrupted);
          for (const action of actions) {
            if (action === 'prompt') turns.submit(session.id, TO, `p${runner.turns.length}`);
            if (action === 'finish') open()[0]?.finish('done');
            if (action === 'stop') await turns.stop(session.id);
            await new Promise((resolve) => setImmediate(resolve));
          }
          // Let whatever is queued run to its end.
          await waitFor(() => {
            open()[0]?.finish('done');
            return !turns.isRunning(session.id);
          }, 'the queue to drain');
          const started = runner.turns.length - firstTurn;
          expect(await ends()).toBe(endsBefore + started);
          expect(
            runner.turns.slice(firstTurn).every((turn) => turn.finished || turn.interrupted),
          ).toBe(true);
          expect(turns.isRunning(session.id)).toBe(false);
          expect((await sessions.get(session.id)).agentPid).toBeNull();
        },
      ),
      { numRuns: 60 },
    );
  });
});

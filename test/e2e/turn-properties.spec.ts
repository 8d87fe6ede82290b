import fc from 'fast-check';
import { Registry } from 'prom-client';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AgentRunner, TurnService } from '../../src/modules/agent';
import { PermissionAnswer } from '../../src/modules/agent/agent-runner.port';
import { ApprovalsService } from '../../src/modules/approvals';
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

  /** Turn-ending messages (a result or an error) in the outbox so far. */
  const ends = async (): Promise<number> =>
    (
      (await t.app
        .get(DataSource)
        .query(`SELECT count(*) AS n FROM outbox_messages WHERE kind IN ('result', 'error')`)) as {
        n: number;
      }[]
    )[0].n;
  const pending = async (sessionId: string): Promise<number> =>
    (
      (await t.app
        .get(DataSource)
        .query(`SELECT count(*) AS n FROM approvals WHERE session_id = ? AND state = 'pending'`, [
          sessionId,
        ])) as { n: number }[]
    )[0].n;
  /** `bridge_approvals_total` by outcome. */
  const approvalOutcomes = async (): Promise<Record<string, number>> => {
    const metric = await t.app.get(Registry).getSingleMetric('bridge_approvals_total')?.get();
    return Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.outcome, v.value]));
  };

  it('whatever the order of prompts, finishes and stops: every turn ends once, with one message, and nothing keeps running', async () => {
    const sessions = t.app.get(SessionsService);
    const turns = t.app.get(TurnService);
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

  it('whatever the order of prompts, questions, answers, expiries and stops: every question gets one answer matching its outcome, every turn ends once, nothing stays pending', async () => {
    const sessions = t.app.get(SessionsService);
    const turns = t.app.get(TurnService);
    const approvals = t.app.get(ApprovalsService);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.constantFrom(
            'prompt',
            'ask',
            'approve',
            'approve all',
            'reject',
            'expire',
            'finish',
            'stop',
          ),
          { maxLength: 30 },
        ),
        async (actions) => {
          const session = await sessions.create({ conversationId: 'dm:owner', project: 'demo' });
          await sessions.transition(session.id, 'ACTIVE');
          const firstTurn = runner.turns.length;
          const endsBefore = await ends();
          const outcomesBefore = await approvalOutcomes();
          const mine = () => runner.turns.slice(firstTurn);
          const open = () => mine().filter((turn) => !turn.finished && !turn.interrupted);
          const asked: Promise<PermissionAnswer>[] = [];
          const settled = new Set<number>();
          const answerFirst = async (decision: 'approved' | 'rejected', all = false) => {
            const [first] = approvals.pendingIn('dm:owner');
            if (first) await approvals.decide('dm:owner', first.id, decision, { all });
          };
          for (const action of actions) {
            if (action === 'prompt') turns.submit(session.id, TO, `p${runner.turns.length}`);
            if (action === 'ask') {
              if (!open()[0]) {
                turns.submit(session.id, TO, `p${runner.turns.length}`);
                await waitFor(() => open().length > 0, 'a turn to ask from');
              }
              const n = asked.length;
              const questions = approvals.pendingIn('dm:owner').length;
              asked.push(
                open()[0]
                  .ask('Bash', { command: 'npm test' })
                  .finally(() => settled.add(n)),
              );
              // Judging the call takes a moment: on from here once it is asked or answered.
              await waitFor(
                () => settled.has(n) || approvals.pendingIn('dm:owner').length > questions,
                'the question',
              );
            }
            if (action === 'approve') await answerFirst('approved');
            if (action === 'approve all') await answerFirst('approved', true);
            if (action === 'reject') await answerFirst('rejected');
            if (action === 'expire') await t.clock.advance(600_000); // the approval timeout
            if (action === 'finish') open()[0]?.finish('done');
            if (action === 'stop') await turns.stop(session.id);
            await new Promise((resolve) => setImmediate(resolve));
          }
          await waitFor(() => {
            const [first] = approvals.pendingIn('dm:owner');
            if (first) void approvals.decide('dm:owner', first.id, 'approved');
            open()[0]?.finish('done');
            return !turns.isRunning(session.id);
          }, 'the queue to drain');
          // A question left unanswered is a failure here, not a hang of the whole property.
          await new Promise((resolve) => setImmediate(resolve));
          expect(settled.size).toBe(asked.length);
          const answers = await Promise.all(asked);
          expect(await pending(session.id)).toBe(0);
          // Every question has exactly one outcome, and its answer matches it.
          const outcomes = await approvalOutcomes();
          const delta = (o: string) => (outcomes[o] ?? 0) - (outcomesBefore[o] ?? 0);
          const total = Object.keys(outcomes).reduce((sum, o) => sum + delta(o), 0);
          expect(total).toBe(asked.length);
          expect(answers.filter((a) => a.behavior === 'allow')).toHaveLength(
            delta('approved') + delta('allowed'),
          );
          expect(await ends()).toBe(endsBefore + mine().length);
          expect(mine().every((turn) => turn.finished || turn.interrupted)).toBe(true);
          expect((await sessions.get(session.id)).agentPid).toBeNull();
        },
      ),
      { numRuns: 100 },
    );
  }, 30_000); // about 0.2 s alone; generous for a loaded CI machine
});

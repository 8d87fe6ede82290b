import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ActivityLogService, SessionError, SessionsService } from '../../src/modules/sessions';
import { createApp, TestApp } from '../utils/create-app';
import { httpGet } from '../utils/http';
import { sessionIn } from '../utils/sessions';

describe('sessions store', () => {
  let t: TestApp;
  let sessions: SessionsService;
  let activity: ActivityLogService;

  beforeEach(async () => {
    t = await createApp({ listen: false });
    sessions = t.app.get(SessionsService);
    activity = t.app.get(ActivityLogService);
    mkdirSync(join(t.dir, 'projects', 'api'));
  });
  afterEach(() => t.close());

  async function errorCode(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof SessionError) return error.code;
      throw error;
    }
    throw new Error('expected a SessionError');
  }

  it('creates a session in CREATED bound to the real project folder', async () => {
    const created = await sessions.create({
      conversationId: '+15550100001',
      project: 'api',
      context: { model: 'sonnet' },
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(sessions.get(created.id)).resolves.toEqual({
      id: created.id,
      conversationId: '+15550100001',
      projectPath: join(t.dir, 'projects', 'api'),
      status: 'CREATED',
      agentSessionId: null,
      context: { model: 'sonnet' },
      recoveredAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      lastActivityAt: null,
      activityDropped: 0,
      agentPid: null,
    });
  });

  it('refuses a project outside the roots and stores nothing', async () => {
    await expect(
      errorCode(sessions.create({ conversationId: 'c', project: '/etc' })),
    ).resolves.toBe('PROJECT_OUTSIDE_ROOTS');
    await expect(sessions.list()).resolves.toEqual([]);
  });

  it('lists newest first and filters by conversation and status', async () => {
    const a = await sessionIn(sessions, 'ACTIVE', { conversationId: 'dm-1' });
    await t.clock.advance(1000);
    const b = await sessionIn(sessions, 'CREATED', { conversationId: 'dm-2' });
    await t.clock.advance(1000);
    const c = await sessionIn(sessions, 'ACTIVE', { conversationId: 'dm-1' });
    const d = await sessionIn(sessions, 'PAUSED', { conversationId: 'dm-1' });
    const ids = async (filter = {}) => (await sessions.list(filter)).map((s) => s.id);
    await expect(ids()).resolves.toEqual([d.id, c.id, b.id, a.id]);
    await expect(ids({ conversationId: 'dm-1' })).resolves.toEqual([d.id, c.id, a.id]);
    await expect(ids({ status: 'ACTIVE' })).resolves.toEqual([c.id, a.id]);
    await expect(ids({ conversationId: 'dm-1', status: 'PAUSED' })).resolves.toEqual([d.id]);
    await expect(ids({ limit: 2 })).resolves.toEqual([d.id, c.id]);
  });

  it('walks the lifecycle and stamps updatedAt with the clock', async () => {
    const s = await sessions.create({ conversationId: 'c', project: 'api' });
    await t.clock.advance(5000);
    await expect(sessions.transition(s.id, 'ACTIVE')).resolves.toMatchObject({
      status: 'ACTIVE',
      updatedAt: '2026-01-01T00:00:05.000Z',
    });
    await expect(sessions.transition(s.id, 'PAUSED', 'ACTIVE')).resolves.toMatchObject({
      status: 'PAUSED',
    });
    await expect(sessions.transition(s.id, 'ACTIVE', 'PAUSED')).resolves.toMatchObject({
      status: 'ACTIVE',
    });
    await sessions.transition(s.id, 'PAUSED');
    await expect(sessions.transition(s.id, 'TERMINATED')).resolves.toMatchObject({
      status: 'TERMINATED',
    });
  });

  it('treats same-state moves as no-ops that still check the status', async () => {
    const s = await sessionIn(sessions, 'PAUSED');
    await t.clock.advance(60_000);
    await expect(sessions.transition(s.id, 'PAUSED')).resolves.toEqual(s);
    await expect(errorCode(sessions.transition(s.id, 'ACTIVE', 'ACTIVE'))).resolves.toBe(
      'STALE_STATUS',
    );
  });

  it('raises STALE_STATUS for a wrong expected status and NOT_FOUND for an unknown id', async () => {
    const s = await sessionIn(sessions, 'ACTIVE');
    await expect(errorCode(sessions.transition(s.id, 'ACTIVE', 'CREATED'))).resolves.toBe(
      'STALE_STATUS',
    );
    expect((await sessions.get(s.id)).status).toBe('ACTIVE');
    await expect(errorCode(sessions.transition('nope', 'ACTIVE'))).resolves.toBe('NOT_FOUND');
    await expect(errorCode(sessions.transition('nope', 'ACTIVE', 'CREATED'))).resolves.toBe(
      'NOT_FOUND',
    );
    await expect(errorCode(sessions.get('nope'))).resolves.toBe('NOT_FOUND');
    await expect(sessions.find('nope')).resolves.toBeUndefined();
  });

  it('merges context and remembers the agent session id', async () => {
    const s = await sessionIn(sessions, 'ACTIVE', { context: { model: 'sonnet', turns: 1 } });
    await sessions.updateContext(s.id, { turns: 2, branch: 'main' });
    await sessions.setAgentSessionId(s.id, 'agent-123');
    await expect(sessions.get(s.id)).resolves.toMatchObject({
      context: { model: 'sonnet', turns: 2, branch: 'main' },
      agentSessionId: 'agent-123',
    });
    await expect(errorCode(sessions.updateContext('nope', {}))).resolves.toBe('NOT_FOUND');
    await expect(errorCode(sessions.setAgentSessionId('nope', 'x'))).resolves.toBe('NOT_FOUND');
  });

  describe('activity log', () => {
    it('keeps the newest 10 entries and stamps lastActivityAt', async () => {
      const s = await sessionIn(sessions, 'ACTIVE');
      for (let i = 1; i <= 13; i++) {
        await t.clock.advance(1000);
        await activity.trackActivity(s.id, 'file_edit', { path: `f${i}.ts` });
      }
      const kept = await activity.entries(s.id);
      expect(kept.map((e) => e.details)).toEqual(
        Array.from({ length: 10 }, (_, i) => ({ path: `f${i + 4}.ts` })),
      );
      await expect(sessions.get(s.id)).resolves.toMatchObject({
        lastActivityAt: '2026-01-01T00:00:13.000Z',
        activityDropped: 3,
      });
    });

    it('refuses activity for an unknown session and records nothing', async () => {
      await expect(errorCode(activity.trackActivity('nope', 'note', { text: 'x' }))).resolves.toBe(
        'NOT_FOUND',
      );
      await expect(activity.entries('nope')).resolves.toEqual([]);
    });

    it('summarizes what happened since the last summary, once', async () => {
      const s = await sessionIn(sessions, 'ACTIVE');
      await expect(activity.catchUpSummary(s.id)).resolves.toBeUndefined();
      await activity.trackActivity(s.id, 'file_edit', { path: 'src/app.ts' });
      await activity.trackActivity(s.id, 'command', { command: 'npm test', outcome: '12 passed' });
      await expect(activity.catchUpSummary(s.id)).resolves.toEqual({
        sessionId: s.id,
        total: 2,
        text: 'While you were away, Claude did 2 things:\n• edited src/app.ts\n• ran npm test (12 passed)',
      });
      await expect(activity.catchUpSummary(s.id)).resolves.toBeUndefined();
      await activity.trackActivity(s.id, 'note', { text: 'waiting for approval' });
      await expect(activity.catchUpSummary(s.id)).resolves.toMatchObject({
        total: 1,
        text: 'While you were away, Claude did 1 thing:\n• waiting for approval',
      });
    });

    it('says how many more happened than the log kept', async () => {
      const s = await sessionIn(sessions, 'ACTIVE');
      await activity.trackActivity(s.id, 'note', { text: 'seen' });
      await activity.catchUpSummary(s.id);
      for (let i = 1; i <= 47; i++)
        await activity.trackActivity(s.id, 'file_edit', { path: `f${i}` });
      const summary = await activity.catchUpSummary(s.id);
      const lines = summary?.text.split('\n') ?? [];
      expect(lines).toEqual([
        'While you were away, Claude did 47 things:',
        ...Array.from({ length: 10 }, (_, i) => `• edited f${i + 38}`),
        '… and 37 more',
      ]);
      await expect(activity.catchUpSummary(s.id)).resolves.toBeUndefined();
    });

    it('after a drop, shows only what happened since it: the phone saw the rest live', async () => {
      const s = await sessionIn(sessions, 'ACTIVE');
      for (let i = 1; i <= 12; i++) {
        await t.clock.advance(1000);
        await activity.trackActivity(s.id, 'file_edit', { path: `before${i}.ts` });
      }
      await t.clock.advance(500);
      const droppedAt = t.clock.nowIso();
      await activity.trackActivity(s.id, 'file_edit', { path: 'during.ts' });
      await expect(activity.catchUpSummary(s.id, droppedAt)).resolves.toEqual({
        sessionId: s.id,
        total: 1,
        text: 'While you were away, Claude did 1 thing:\n• edited during.ts',
      });
      await expect(activity.catchUpSummary(s.id)).resolves.toBeUndefined();
    });

    it('after a drop, counts what the log trimmed if all it kept is from after the drop', async () => {
      const s = await sessionIn(sessions, 'ACTIVE');
      const droppedAt = t.clock.nowIso();
      for (let i = 1; i <= 12; i++) await activity.trackActivity(s.id, 'note', { text: `n${i}` });
      const summary = await activity.catchUpSummary(s.id, droppedAt);
      expect(summary?.total).toBe(12);
      expect(summary?.text.split('\n').at(-1)).toBe('… and 2 more');
    });
  });

  it('honours a configured activity bound', async () => {
    const small = await createApp({ listen: false, env: { ACTIVITY_LOG_SIZE: '3' } });
    try {
      const store = small.app.get(SessionsService);
      const log = small.app.get(ActivityLogService);
      const s = await sessionIn(store, 'ACTIVE');
      for (let i = 1; i <= 5; i++) await log.trackActivity(s.id, 'note', { text: `n${i}` });
      expect((await log.entries(s.id)).map((e) => e.details)).toEqual([
        { text: 'n3' },
        { text: 'n4' },
        { text: 'n5' },
      ]);
    } finally {
      await small.close();
    }
  });
});

describe('sessions metrics', () => {
  it('counts sessions by status at scrape time', async () => {
    const t = await createApp();
    try {
      const sessions = t.app.get(SessionsService);
      await sessionIn(sessions, 'ACTIVE');
      await sessionIn(sessions, 'ACTIVE');
      await sessionIn(sessions, 'TERMINATED');
      const text = (await httpGet(t.app, '/metrics')).text;
      expect(text).toContain('bridge_sessions{status="CREATED",service="claude-signal-bridge"} 0');
      expect(text).toContain('bridge_sessions{status="ACTIVE",service="claude-signal-bridge"} 2');
      expect(text).toContain(
        'bridge_sessions{status="TERMINATED",service="claude-signal-bridge"} 1',
      );
      expect(text).toContain('bridge_sessions_recovered_total{service="claude-signal-bridge"} 0');
    } finally {
      await t.close();
    }
  });
});

import { FakeClock } from '../../src/common/clock';
import { AppConfig } from '../../src/common/config';
import { SignalTransport } from '../../src/modules/signal';
import { RestTransport } from '../../src/modules/signal/transports/rest.transport';
import { SignalCliTransport } from '../../src/modules/signal/transports/signal-cli.transport';
import { SignalSimulator } from '../../src/simulator/signal-simulator';
import { BOT_ACCOUNT, OWNER_NUMBER } from '../utils/test-config';
import { GROUP_ID } from '../utils/signal-harness';

const DM = { kind: 'dm', peer: OWNER_NUMBER } as const;

describe.each([
  ['signal-cli', (c: AppConfig, clock: FakeClock) => new SignalCliTransport(c, clock)],
  ['rest', (c: AppConfig, clock: FakeClock) => new RestTransport(c, clock)],
] as const)('%s transport against the simulator', (kind, make) => {
  let sim: SignalSimulator;
  let transport: SignalTransport;
  const clock = new FakeClock('2026-07-01T00:00:00.000Z');

  beforeEach(async () => {
    sim = new SignalSimulator({ account: BOT_ACCOUNT, clock });
    const url = await sim.start();
    transport = make({ signal: { url, account: BOT_ACCOUNT } } as AppConfig, clock);
  });
  afterEach(() => sim.stop());

  it('sends and returns Signal’s timestamp', async () => {
    const outcome = await transport.send({ to: DM, text: 'hello' });
    expect(outcome).toEqual({
      timestamp: clock.nowMs(),
      recipients: [{ address: OWNER_NUMBER, status: 'sent' }],
    });
    expect(sim.sent).toMatchObject([{ via: kind, recipients: [OWNER_NUMBER], message: 'hello' }]);
  });

  it('addresses a group with the id each API expects', async () => {
    await transport.send({
      to: { kind: 'group', groupId: GROUP_ID, groupName: null },
      text: 'hi all',
    });
    expect(sim.sent).toMatchObject([{ groupId: GROUP_ID, message: 'hi all' }]);
  });

  it('passes quotes and edits through', async () => {
    await transport.send({
      to: DM,
      text: 'yes',
      quote: { timestamp: 42, author: OWNER_NUMBER },
      editTimestamp: 41,
    });
    expect(sim.sent).toMatchObject([{ quoteTimestamp: 42, editTimestamp: 41 }]);
  });

  it('returns a plain rate limit as data', async () => {
    sim.rateLimitNextSends(1, { retryAfterSeconds: 30 });
    const outcome = await transport.send({ to: DM, text: 'x' });
    expect(outcome.timestamp).toBeNull();
    // The REST API does not pass retryAfterSeconds through; signal-cli does.
    expect(outcome.recipients).toEqual([
      kind === 'rest'
        ? { address: null, status: 'rate-limited' }
        : { address: OWNER_NUMBER, status: 'rate-limited', retryAfterSeconds: 30 },
    ]);
    expect(sim.sent).toEqual([]);
  });

  it('returns a proof-required challenge token, and submitting the captcha lifts it', async () => {
    sim.rateLimitNextSends(5, { proofRequired: true });
    const outcome = await transport.send({ to: DM, text: 'x' });
    const token = outcome.recipients[0].challengeToken;
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    await expect(
      transport.submitRateLimitChallenge('wrong', 'signalcaptcha://x'),
    ).rejects.toMatchObject({ code: 'REJECTED' });
    await transport.submitRateLimitChallenge(token as string, 'signalcaptcha://solved');
    await expect(transport.send({ to: DM, text: 'after' })).resolves.toMatchObject({
      recipients: [{ status: 'sent' }],
    });
  });

  it('reports a refused connection as UNREACHABLE', async () => {
    await sim.stop();
    await expect(transport.send({ to: DM, text: 'x' })).rejects.toMatchObject({
      code: 'UNREACHABLE',
    });
    await expect(transport.check()).resolves.toBe(false);
    sim = new SignalSimulator({ account: BOT_ACCOUNT, clock });
    await sim.start();
  });

  it('answers check and typing', async () => {
    await expect(transport.check()).resolves.toBe(true);
    await expect(transport.sendTyping(DM)).resolves.toBeUndefined();
    await expect(transport.sendTyping(DM, true)).resolves.toBeUndefined();
  });
});

describe('signal-cli transport specifics', () => {
  it('reports an unregistered recipient as data', async () => {
    const clock = new FakeClock();
    const sim = new SignalSimulator({ account: BOT_ACCOUNT, clock });
    const url = await sim.start();
    try {
      sim.unregistered.add('+15550100777');
      const transport = new SignalCliTransport(
        { signal: { url, account: BOT_ACCOUNT } } as AppConfig,
        clock,
      );
      await expect(
        transport.send({ to: { kind: 'dm', peer: '+15550100777' }, text: 'x' }),
      ).resolves.toEqual({
        timestamp: null,
        recipients: [{ address: '+15550100777', status: 'unregistered' }],
      });
    } finally {
      await sim.stop();
    }
  });
});

describe('rest transport specifics', () => {
  it('accepts the newer array answer of /v2/send', async () => {
    const clock = new FakeClock();
    const sim = new SignalSimulator({ account: BOT_ACCOUNT, clock, restResponseShape: 'array' });
    const url = await sim.start();
    try {
      const transport = new RestTransport(
        { signal: { url, account: BOT_ACCOUNT } } as AppConfig,
        clock,
      );
      await expect(transport.send({ to: DM, text: 'x' })).resolves.toEqual({
        timestamp: clock.nowMs(),
        recipients: [{ address: OWNER_NUMBER, status: 'sent' }],
      });
    } finally {
      await sim.stop();
    }
  });
});

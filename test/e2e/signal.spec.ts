import { HELP_TEXT } from '../utils/help-text';
import { DataSource } from 'typeorm';
import { ConnectionSupervisor } from '../../src/modules/resilience';
import { BOT_ACCOUNT } from '../utils/test-config';
import { createSignalApp, GROUP_ID, OWNER, SignalTestApp, STRANGER } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

describe.each(['signal-cli', 'rest'] as const)('Signal over the simulator (%s)', (transport) => {
  let t: SignalTestApp;
  beforeEach(async () => (t = await createSignalApp(transport)));
  afterEach(() => t.close());

  it('answers /help from the owner in the DM', async () => {
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    await waitFor(() => t.sim.sent.length === 1, 'the reply');
    expect(t.sim.sent[0]).toMatchObject({
      via: transport,
      recipients: [transport === 'rest' ? OWNER.uuid : OWNER.uuid],
      groupId: null,
      message: HELP_TEXT,
    });
  });

  it('gives a stranger nothing and counts the attempt', async () => {
    t.sim.phoneSends({ from: STRANGER, text: '/help' });
    await waitFor(async () => (await t.inbound('unauthorized')) === 1, 'the refusal');
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    await waitFor(() => t.sim.sent.length === 1, 'the owner reply');
    expect(t.sim.sent.map((s) => s.recipients)).toEqual([[OWNER.uuid]]);
  });

  it('answers a group message from the owner in the group', async () => {
    t.sim.phoneSends({ from: OWNER, text: '/bogus', groupId: GROUP_ID, groupName: 'Falcon' });
    await waitFor(() => t.sim.sent.length === 1, 'the group reply');
    expect(t.sim.sent[0]).toMatchObject({
      groupId: GROUP_ID,
      message: `I don't know /bogus.\n\n${HELP_TEXT}`,
    });
  });

  it('answers Note to Self in Note to Self (own-account mode)', async () => {
    t.sim.phoneSends({
      from: { number: BOT_ACCOUNT, uuid: '0e4e0000-0000-4000-8000-000000000009' },
      text: '/help',
      noteToSelf: true,
    });
    await waitFor(() => t.sim.sent.length === 1, 'the note-to-self reply');
    expect(t.sim.sent[0]).toMatchObject({ noteToSelf: true, recipients: [BOT_ACCOUNT] });
  });

  it('skips garbage on the stream and goes on', async () => {
    t.sim.injectRaw('this is not json');
    t.sim.injectRaw('{"envelope":{"source":"+15550100001","timest');
    t.sim.injectRaw(`{"junk":"${'x'.repeat(3 * 1024 * 1024)}"`);
    t.sim.inject({ envelope: { timestamp: 1 } });
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    await waitFor(() => t.sim.sent.length === 1, 'the reply after the garbage');
    await expect(t.inbound('malformed')).resolves.toBe(4);
    expect(t.app.get(ConnectionSupervisor).isConnected).toBe(true);
  });

  it('reconnects after the stream drops, 1 s later on the clock', async () => {
    t.sim.dropStreams();
    await waitFor(() => !t.app.get(ConnectionSupervisor).isConnected, 'the drop to be noticed');
    await t.clock.advance(999);
    expect(t.sim.connectedStreams).toBe(0);
    await t.clock.advance(1);
    await waitFor(() => t.app.get(ConnectionSupervisor).isConnected, 'the reconnect');
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    await waitFor(() => t.sim.sent.length === 1, 'the reply after reconnecting');
  });
});

describe('re-deliveries', () => {
  let t: SignalTestApp;
  beforeEach(async () => (t = await createSignalApp('signal-cli')));
  afterEach(() => t.close());

  it('handles the same envelope once when delivered 10,000 times, across a reconnect', async () => {
    const event = t.sim.phoneSends({ from: OWNER, text: '/help' });
    for (let i = 0; i < 4999; i++) t.sim.inject(event);
    await waitFor(async () => (await t.inbound('duplicate')) === 4999, 'the first half', 1_000_000);
    t.sim.dropStreams();
    for (let i = 0; i < 5000; i++) t.sim.inject(event); // waits on the server while we are away
    await waitFor(() => !t.app.get(ConnectionSupervisor).isConnected, 'the drop');
    await t.clock.advance(1000);
    await waitFor(
      async () => (await t.inbound('duplicate')) === 9999,
      'the second half',
      1_000_000,
    );
    await expect(t.inbound('handled')).resolves.toBe(1);
    expect(t.sim.sent).toHaveLength(1);
  });
});

describe('what the phone sends while the daemon is away', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  async function awayThenBack(app: SignalTestApp): Promise<void> {
    app.sim.dropStreams();
    await waitFor(() => !app.app.get(ConnectionSupervisor).isConnected, 'the drop');
    app.sim.phoneSends({ from: OWNER, text: '/help' });
    await app.clock.advance(1000);
    await waitFor(() => app.app.get(ConnectionSupervisor).isConnected, 'the reconnect');
  }

  it('arrives after reconnecting with signal-cli (on-connection mode keeps it)', async () => {
    t = await createSignalApp('signal-cli');
    await awayThenBack(t);
    await waitFor(() => t.sim.sent.length === 1, 'the late reply');
    expect(t.sim.sent[0].message).toBe(HELP_TEXT);
  });

  it('is lost by signal-cli-rest-api, as the real one loses it', async () => {
    t = await createSignalApp('rest');
    await awayThenBack(t);
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    await waitFor(() => t.sim.sent.length === 1, 'the reply to the later message');
    expect(t.sim.sent[0].message).toMatch(/^Signal: connected/);
  });
});

describe('inbound key retention', () => {
  it('purges handled keys older than INBOUND_RETENTION_HOURS, hourly', async () => {
    const t = await createSignalApp('signal-cli', { env: { INBOUND_RETENTION_HOURS: '2' } });
    try {
      const count = () =>
        t.app
          .get(DataSource)
          .query(`SELECT state, count(*) AS n FROM inbound_messages GROUP BY state`);
      t.sim.phoneSends({ from: OWNER, text: '/help' });
      await waitFor(async () => (await t.inbound('handled')) === 1, 'the message to be handled');
      await expect(count()).resolves.toEqual([{ state: 'handled', n: 1 }]);
      await t.clock.advance(2 * 3_600_000);
      await expect(count()).resolves.toEqual([{ state: 'handled', n: 1 }]);
      await t.clock.advance(3_600_000);
      await expect(count()).resolves.toEqual([]);
    } finally {
      await t.close();
    }
  });
});

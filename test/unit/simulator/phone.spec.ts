import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../../src/common/clock';
import { parseSignalEvent } from '../../../src/modules/signal/envelope-parser';
import { buildEnvelope, buildReaction, SimulatedUser } from '../../../src/simulator/phone';
import { SignalSimulator } from '../../../src/simulator/signal-simulator';

const SHARED = join(__dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'signal');
const VENDORED = join(__dirname, '..', '..', 'fixtures', 'signal');
const FIXTURES = existsSync(SHARED) ? SHARED : VENDORED;
const BOT = '+15550100000';
const T = 1787217720000;
const ALICE: SimulatedUser = {
  number: '+15550100001',
  uuid: 'a11ce000-0000-4000-8000-000000000001',
  name: 'Alice Example',
};
const SENDER = { ...ALICE, device: 1 };
const GROUP_ID = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=';

/** The parts every envelope from Alice at T shares. */
const FROM_ALICE = {
  source: ALICE.number,
  sourceNumber: ALICE.number,
  sourceUuid: ALICE.uuid,
  sourceName: ALICE.name,
  sourceDevice: 1,
  timestamp: T,
  serverReceivedTimestamp: T + 200,
  serverDeliveredTimestamp: T + 240,
};
const DATA = {
  timestamp: T,
  expiresInSeconds: 0,
  isExpirationUpdate: false,
  viewOnce: false,
};

function fixture(name: string): { envelope: Record<string, unknown>; account: string } {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as {
    envelope: Record<string, unknown>;
    account: string;
  };
}

describe('buildEnvelope', () => {
  it('builds a direct message the parser reads as a DM text', () => {
    const event = buildEnvelope(BOT, { from: ALICE, text: 'hello' }, T);

    expect(event).toEqual({
      envelope: { ...FROM_ALICE, dataMessage: { ...DATA, message: 'hello' } },
      account: BOT,
    });
    expect(parseSignalEvent(event, BOT)).toEqual({
      kind: 'message',
      message: {
        type: 'text',
        key: `${ALICE.uuid}:1:${T}`,
        sender: SENDER,
        conversation: { kind: 'dm', peer: ALICE.uuid },
        timestamp: T,
        text: 'hello',
        quote: null,
        editOf: null,
      },
    });
  });

  it('matches the recorded signal-cli DM but for the server stamps', () => {
    const recorded = fixture('dm-text.json');
    const text = (recorded.envelope.dataMessage as { message: string }).message;
    const ts = recorded.envelope.timestamp as number;

    const built = buildEnvelope(BOT, { from: ALICE, text }, ts);

    expect(JSON.stringify(built)).toBe(
      JSON.stringify({
        ...recorded,
        envelope: { ...recorded.envelope, serverReceivedTimestamp: ts + 200 },
      }),
    );
  });

  it('builds a group message with the group id and name', () => {
    const event = buildEnvelope(
      BOT,
      { from: ALICE, text: '/status', groupId: GROUP_ID, groupName: 'Falcon' },
      T,
    );

    expect(event.envelope.dataMessage).toEqual({
      ...DATA,
      message: '/status',
      groupInfo: { groupId: GROUP_ID, groupName: 'Falcon', revision: 1, type: 'DELIVER' },
    });
    expect(parseSignalEvent(event, BOT)).toMatchObject({
      kind: 'message',
      message: { conversation: { kind: 'group', groupId: GROUP_ID, groupName: 'Falcon' } },
    });
  });

  it('builds a group message with a null name when none is given', () => {
    const event = buildEnvelope(BOT, { from: ALICE, text: 'hi', groupId: GROUP_ID }, T);

    expect(event.envelope.dataMessage).toMatchObject({
      groupInfo: { groupId: GROUP_ID, groupName: null, revision: 1, type: 'DELIVER' },
    });
  });

  it('builds a note to self as a sync message from the account itself', () => {
    const owner: SimulatedUser = {
      number: '+15550100009',
      uuid: '0e4e0000-0000-4000-8000-000000000009',
      name: 'Owner Example',
    };
    const recorded = fixture('sync-note-to-self.json');
    const ts = recorded.envelope.timestamp as number;

    const event = buildEnvelope(
      recorded.account,
      { from: owner, text: 'remind me to call the dentist at 4pm', noteToSelf: true },
      ts,
    );

    expect(JSON.stringify(event)).toBe(
      JSON.stringify({
        ...recorded,
        envelope: { ...recorded.envelope, serverReceivedTimestamp: ts + 200 },
      }),
    );
    expect(parseSignalEvent(event, recorded.account)).toEqual({
      kind: 'message',
      message: {
        type: 'text',
        key: `${owner.uuid}:1:${ts}`,
        sender: { ...owner, device: 1 },
        conversation: { kind: 'note-to-self' },
        timestamp: ts,
        text: 'remind me to call the dentist at 4pm',
        quote: null,
        editOf: null,
      },
    });
  });

  it('builds a reply with the quoted timestamp and author', () => {
    const event = buildEnvelope(
      BOT,
      { from: ALICE, text: 'yes', quote: { timestamp: T - 5000, author: BOT } },
      T,
    );

    expect(event.envelope.dataMessage).toEqual({
      ...DATA,
      message: 'yes',
      quote: {
        id: T - 5000,
        author: BOT,
        authorNumber: BOT,
        authorUuid: null,
        text: null,
        attachments: [],
      },
    });
    expect(parseSignalEvent(event, BOT)).toMatchObject({
      kind: 'message',
      message: { quote: { timestamp: T - 5000, authorNumber: BOT, authorUuid: null } },
    });
  });

  it('builds an edit that points at the original timestamp', () => {
    const event = buildEnvelope(BOT, { from: ALICE, text: '/help', editOf: T - 1000 }, T);

    expect(event).toEqual({
      envelope: {
        ...FROM_ALICE,
        editMessage: {
          targetSentTimestamp: T - 1000,
          dataMessage: { ...DATA, message: '/help' },
        },
      },
      account: BOT,
    });
    expect(parseSignalEvent(event, BOT)).toMatchObject({
      kind: 'message',
      message: { type: 'text', text: '/help', editOf: T - 1000, timestamp: T },
    });
  });

  it('uses the UUID as source and device 1 for a user without a number', () => {
    const hidden: SimulatedUser = { number: null, uuid: 'b0b00000-0000-4000-8000-000000000002' };

    const { envelope } = buildEnvelope(BOT, { from: hidden, text: 'x' }, T);

    expect(envelope).toMatchObject({
      source: hidden.uuid,
      sourceNumber: null,
      sourceUuid: hidden.uuid,
      sourceName: null,
      sourceDevice: 1,
    });
  });

  it('is pure: the same input gives the same output and is left untouched', () => {
    const message = Object.freeze({
      from: Object.freeze({ ...ALICE, device: 3 }),
      text: 'same',
      quote: Object.freeze({ timestamp: 1, author: BOT }),
    });

    const first = buildEnvelope(BOT, message, T);
    const second = buildEnvelope(BOT, message, T);

    expect(second).toEqual(first);
    expect(second.envelope).not.toBe(first.envelope);
  });
});

describe('buildReaction', () => {
  it('builds a 👍 on one of the bot’s messages that the parser reads as a reaction', () => {
    const event = buildReaction(
      BOT,
      { from: ALICE, emoji: '👍', targetTimestamp: T - 5000, targetAuthor: BOT },
      T,
    );

    expect(event).toEqual({
      envelope: {
        ...FROM_ALICE,
        dataMessage: {
          ...DATA,
          message: null,
          reaction: {
            emoji: '👍',
            targetAuthor: BOT,
            targetAuthorNumber: BOT,
            targetAuthorUuid: null,
            targetSentTimestamp: T - 5000,
            isRemove: false,
          },
        },
      },
      account: BOT,
    });
    expect(parseSignalEvent(event, BOT)).toEqual({
      kind: 'message',
      message: {
        type: 'reaction',
        key: `${ALICE.uuid}:1:${T}`,
        sender: SENDER,
        conversation: { kind: 'dm', peer: ALICE.uuid },
        timestamp: T,
        emoji: '👍',
        targetTimestamp: T - 5000,
        targetAuthorUuid: null,
        targetAuthorNumber: BOT,
        isRemove: false,
      },
    });
  });

  it('has the recorded signal-cli reaction’s shape, field for field', () => {
    const recorded = fixture('reaction.json');
    const reaction = (recorded.envelope.dataMessage as { reaction: Record<string, unknown> })
      .reaction;
    const ts = recorded.envelope.timestamp as number;

    const built = buildReaction(
      recorded.account,
      {
        from: ALICE,
        emoji: reaction.emoji as string,
        targetTimestamp: reaction.targetSentTimestamp as number,
        targetAuthor: reaction.targetAuthorNumber as string,
      },
      ts,
    );

    // Given only a number, the builder cannot know the author's UUID.
    const expected = structuredClone(recorded);
    expected.envelope.serverReceivedTimestamp = ts + 200;
    (expected.envelope.dataMessage as { reaction: { targetAuthorUuid: null } }).reaction = {
      ...reaction,
      targetAuthorUuid: null,
    };
    expect(JSON.stringify(built)).toBe(JSON.stringify(expected));
  });

  it('names a UUID author by UUID only', () => {
    const uuid = '00000000-b07b-4000-8000-000000000001';

    const event = buildReaction(
      BOT,
      { from: ALICE, emoji: '❤️', targetTimestamp: 7, targetAuthor: uuid },
      T,
    );

    expect(parseSignalEvent(event, BOT)).toMatchObject({
      kind: 'message',
      message: { targetAuthorUuid: uuid, targetAuthorNumber: null },
    });
    expect(event.envelope.dataMessage).toMatchObject({
      reaction: { targetAuthor: uuid, targetAuthorNumber: null, targetAuthorUuid: uuid },
    });
  });

  it('builds the removal of a reaction in a group', () => {
    const event = buildReaction(
      BOT,
      {
        from: ALICE,
        emoji: '👍',
        targetTimestamp: 7,
        targetAuthor: BOT,
        isRemove: true,
        groupId: GROUP_ID,
        groupName: 'Falcon',
      },
      T,
    );

    expect(event.envelope.dataMessage).toEqual({
      ...DATA,
      message: null,
      reaction: {
        emoji: '👍',
        targetAuthor: BOT,
        targetAuthorNumber: BOT,
        targetAuthorUuid: null,
        targetSentTimestamp: 7,
        isRemove: true,
      },
      groupInfo: { groupId: GROUP_ID, groupName: 'Falcon', revision: 1, type: 'DELIVER' },
    });
    expect(parseSignalEvent(event, BOT)).toMatchObject({
      kind: 'message',
      message: {
        type: 'reaction',
        isRemove: true,
        conversation: { kind: 'group', groupId: GROUP_ID, groupName: 'Falcon' },
      },
    });
  });
});

describe('SignalSimulator playing the phone', () => {
  it('sends and reacts with the builders, on strictly increasing timestamps', () => {
    const clock = new FakeClock(T);
    const sim = new SignalSimulator({ account: BOT, clock });

    const sent = sim.phoneSends({ from: ALICE, text: 'hi' });
    const reacted = sim.phoneReacts({
      from: ALICE,
      emoji: '👍',
      targetTimestamp: 1,
      targetAuthor: BOT,
    });

    expect(sent).toEqual(buildEnvelope(BOT, { from: ALICE, text: 'hi' }, T));
    expect(reacted).toEqual(
      buildReaction(
        BOT,
        { from: ALICE, emoji: '👍', targetTimestamp: 1, targetAuthor: BOT },
        T + 1,
      ),
    );
    // No stream is attached, so signal-cli's on-connection mode keeps both.
    expect(sim.waitingEvents).toBe(2);
  });

  it('reacts over HTTP through POST /control/react', async () => {
    const sim = new SignalSimulator({ account: BOT, clock: new FakeClock(T) });
    const url = await sim.start();
    const reaction = { from: ALICE, emoji: '👍', targetTimestamp: 1, targetAuthor: BOT };
    try {
      const res = await fetch(`${url}/control/react`, {
        method: 'POST',
        body: JSON.stringify(reaction),
      });

      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(buildReaction(BOT, reaction, T));
      expect(sim.waitingEvents).toBe(1);
    } finally {
      await sim.stop();
    }
  });
});

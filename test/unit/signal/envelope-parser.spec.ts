import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseSignalEvent } from '../../../src/modules/signal/envelope-parser';
import { ParsedEvent } from '../../../src/modules/signal/inbound-message';

const SHARED = join(__dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'signal');
const VENDORED = join(__dirname, '..', '..', 'fixtures', 'signal');
// The project's shared fixtures when the checkout sits beside shared/, else the copy kept here.
const FIXTURES = existsSync(SHARED) ? SHARED : VENDORED;
const BOT = '+15550100000';
const ALICE = {
  uuid: 'a11ce000-0000-4000-8000-000000000001',
  number: '+15550100001',
  name: 'Alice Example',
  device: 1,
};

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

const ALICE_DM: ParsedEvent = {
  kind: 'message',
  message: {
    type: 'text',
    key: `${ALICE.uuid}:1:1787217300000`,
    sender: ALICE,
    conversation: { kind: 'dm', peer: ALICE.uuid },
    timestamp: 1787217300000,
    text: "Hi bot, what's on my calendar today?",
    quote: null,
    editOf: null,
  },
};

/** What each shared fixture must parse to, for the account it was addressed to. */
const EXPECTED: Record<string, { account: string; outcome: ParsedEvent }> = {
  'dm-text.json': { account: BOT, outcome: ALICE_DM },
  // The same envelope inside a JSON-RPC `receive` notification.
  'jsonrpc-receive-notification.json': { account: BOT, outcome: ALICE_DM },
  'group-text-with-mention.json': {
    account: BOT,
    outcome: {
      kind: 'message',
      message: {
        type: 'text',
        key: 'ca401000-0000-4000-8000-000000000003:1:1787217420000',
        sender: {
          uuid: 'ca401000-0000-4000-8000-000000000003',
          number: '+15550100003',
          name: 'Carol Example',
          device: 1,
        },
        conversation: {
          kind: 'group',
          groupId: 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=',
          groupName: 'Project Falcon',
        },
        timestamp: 1787217420000,
        text: '\ufffc can you summarise the thread?',
        quote: null,
        editOf: null,
      },
    },
  },
  'reaction.json': {
    account: BOT,
    outcome: {
      kind: 'message',
      message: {
        type: 'reaction',
        key: `${ALICE.uuid}:1:1787217720000`,
        sender: ALICE,
        conversation: { kind: 'dm', peer: ALICE.uuid },
        timestamp: 1787217720000,
        emoji: '👍',
        targetTimestamp: 1787217305000,
        targetAuthorUuid: '00000000-b07b-4000-8000-000000000001',
        targetAuthorNumber: BOT,
        isRemove: false,
      },
    },
  },
  'receipt-read.json': { account: BOT, outcome: { kind: 'ignored', reason: 'receipt' } },
  'typing-started.json': { account: BOT, outcome: { kind: 'ignored', reason: 'typing' } },
  'sync-note-to-self.json': {
    account: '+15550100009',
    outcome: {
      kind: 'message',
      message: {
        type: 'text',
        key: '0e4e0000-0000-4000-8000-000000000009:1:1787217480000',
        sender: {
          uuid: '0e4e0000-0000-4000-8000-000000000009',
          number: '+15550100009',
          name: 'Owner Example',
          device: 1,
        },
        conversation: { kind: 'note-to-self' },
        timestamp: 1787217480000,
        text: 'remind me to call the dentist at 4pm',
        quote: null,
        editOf: null,
      },
    },
  },
};

describe('parseSignalEvent', () => {
  it('has an expected outcome for every shared fixture', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('keeps its copy of the fixtures identical to shared/', () => {
    const files = readdirSync(FIXTURES).sort();
    expect(readdirSync(VENDORED).sort()).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(VENDORED, file), 'utf8')).toBe(
        readFileSync(join(FIXTURES, file), 'utf8'),
      );
    }
  });

  it.each(Object.keys(EXPECTED))('parses %s', (name) => {
    const { account, outcome } = EXPECTED[name];
    expect(parseSignalEvent(fixture(name), account)).toEqual(outcome);
  });

  it('ignores a sync message the owner sent to someone else', () => {
    const event = fixture('sync-note-to-self.json') as {
      envelope: { syncMessage: { sentMessage: Record<string, unknown> } };
    };
    Object.assign(event.envelope.syncMessage.sentMessage, {
      destination: '+15550100001',
      destinationNumber: '+15550100001',
      destinationUuid: ALICE.uuid,
    });
    expect(parseSignalEvent(event, '+15550100009')).toEqual({ kind: 'ignored', reason: 'sync' });
  });

  it('recognises Note to Self by UUID when the destination number is hidden', () => {
    const event = fixture('sync-note-to-self.json') as {
      envelope: { syncMessage: { sentMessage: Record<string, unknown> } };
    };
    Object.assign(event.envelope.syncMessage.sentMessage, {
      destination: null,
      destinationNumber: null,
    });
    expect(parseSignalEvent(event, '+15550100009')).toMatchObject({
      kind: 'message',
      message: { conversation: { kind: 'note-to-self' } },
    });
  });

  it('keys a sender with a hidden number by UUID, and unwraps manual-mode notifications', () => {
    const event = fixture('dm-text.json') as { envelope: Record<string, unknown> };
    Object.assign(event.envelope, { source: ALICE.uuid, sourceNumber: null });
    const wrapped = {
      jsonrpc: '2.0',
      method: 'receive',
      params: { subscription: 0, result: event },
    };
    expect(parseSignalEvent(wrapped, BOT)).toMatchObject({
      kind: 'message',
      message: { key: `${ALICE.uuid}:1:1787217300000`, sender: { number: null, uuid: ALICE.uuid } },
    });
  });

  it('reads a quote and an edit', () => {
    const quoted = fixture('dm-text.json') as {
      envelope: { dataMessage: Record<string, unknown> };
    };
    quoted.envelope.dataMessage.message = 'yes';
    quoted.envelope.dataMessage.quote = {
      id: 1787217305000,
      author: BOT,
      authorNumber: BOT,
      authorUuid: '00000000-B07B-4000-8000-000000000001',
      text: 'Allow Bash: rm -rf dist?',
      attachments: [],
    };
    expect(parseSignalEvent(quoted, BOT)).toMatchObject({
      message: {
        text: 'yes',
        quote: {
          timestamp: 1787217305000,
          authorUuid: '00000000-b07b-4000-8000-000000000001',
          authorNumber: BOT,
        },
      },
    });

    const original = fixture('dm-text.json') as {
      envelope: Record<string, unknown> & { dataMessage: Record<string, unknown> };
    };
    const edit = {
      ...original,
      envelope: {
        ...original.envelope,
        timestamp: 1787217399999,
        dataMessage: undefined,
        editMessage: {
          targetSentTimestamp: 1787217300000,
          dataMessage: {
            ...original.envelope.dataMessage,
            timestamp: 1787217399999,
            message: 'fixed typo',
          },
        },
      },
    };
    expect(parseSignalEvent(edit, BOT)).toMatchObject({
      message: { text: 'fixed typo', editOf: 1787217300000, key: `${ALICE.uuid}:1:1787217399999` },
    });
  });

  it.each([
    ['not an object', 'hello', 'event: Invalid input: expected object, received string'],
    [
      'no envelope',
      { account: BOT },
      'envelope: Invalid input: expected object, received undefined',
    ],
    [
      'no timestamp',
      { envelope: { sourceUuid: ALICE.uuid } },
      'envelope.timestamp: Invalid input: expected number, received undefined',
    ],
    [
      'no source',
      { envelope: { timestamp: 1, dataMessage: { message: 'x' } } },
      'envelope has no source',
    ],
  ])('reports a malformed event (%s)', (_what, raw, problem) => {
    expect(parseSignalEvent(raw, BOT)).toEqual({ kind: 'malformed', problem });
  });

  it.each([
    [{ exception: { message: 'InvalidMessageStructureException', type: 'x' } }, 'exception'],
    [{ account: '+15550199999' }, 'other-account'],
    [{ envelope: { storyMessage: {} } }, 'story'],
    [{ envelope: { dataMessage: { message: null, timestamp: 1 } } }, 'no-content'],
  ])('ignores %j as %s', (patch, reason) => {
    const event = fixture('dm-text.json') as { envelope: Record<string, unknown> };
    const patched = {
      ...event,
      ...patch,
      envelope: { ...event.envelope, ...(patch as { envelope?: object }).envelope },
    };
    expect(parseSignalEvent(patched, BOT)).toEqual({ kind: 'ignored', reason });
  });

  it('never throws on random or mutated input', () => {
    const base = fixture('group-text-with-mention.json');
    const mutate = (value: unknown, junk: unknown, path: number[]): unknown => {
      if (path.length === 0 || !value || typeof value !== 'object') return junk;
      const keys = Object.keys(value);
      if (keys.length === 0) return junk;
      const key = keys[path[0] % keys.length];
      return {
        ...(value as object),
        [key]: mutate((value as Record<string, unknown>)[key], junk, path.slice(1)),
      };
    };
    fc.assert(
      fc.property(fc.anything(), fc.array(fc.nat(), { maxLength: 5 }), (junk, path) => {
        const outcome = parseSignalEvent(mutate(base, junk, path), BOT);
        expect(['message', 'ignored', 'malformed']).toContain(outcome.kind);
        expect(parseSignalEvent(junk, BOT).kind).toMatch(/^(message|ignored|malformed)$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('long text', () => {
  it('reads the whole text from message and does not treat the long-text attachment as a file', () => {
    const long = 'é'.repeat(3000);
    const event = fixture('dm-text.json') as { envelope: { dataMessage: Record<string, unknown> } };
    event.envelope.dataMessage.message = long;
    event.envelope.dataMessage.attachments = [
      { contentType: 'text/x-signal-plain', filename: null, id: 'abc.txt', size: 6000 },
    ];
    expect(parseSignalEvent(event, BOT)).toMatchObject({
      kind: 'message',
      message: { type: 'text', text: long },
    });
  });
});

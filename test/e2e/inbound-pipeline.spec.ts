import fc from 'fast-check';
import { CommandDispatcher } from '../../src/modules/commands';
import { InboundMessage } from '../../src/modules/signal';
import { InboundPipeline } from '../../src/modules/signal/inbound-pipeline.service';
import { createApp, TestApp } from '../utils/create-app';
import { BOT_ACCOUNT, OWNER_NUMBER } from '../utils/test-config';

const OWNER_UUID = 'a11ce000-0000-4000-8000-000000000001';
const senders = [
  { sourceNumber: OWNER_NUMBER, sourceUuid: OWNER_UUID, authorized: true },
  { sourceNumber: null, sourceUuid: OWNER_UUID, authorized: false }, // uuid not on the allowlist
  { sourceNumber: OWNER_NUMBER, sourceUuid: null, authorized: true },
  {
    sourceNumber: '+15550100666',
    sourceUuid: 'bad00000-0000-4000-8000-000000000666',
    authorized: false,
  },
  { sourceNumber: null, sourceUuid: null, authorized: false },
];

const envelope = fc.record({
  sender: fc.constantFrom(...senders),
  device: fc.constantFrom(1, 2, null),
  timestamp: fc.integer({ min: 1, max: 40 }),
  body: fc.oneof(
    fc.record({ dataMessage: fc.record({ message: fc.oneof(fc.string(), fc.constant(null)) }) }),
    fc.record({ typingMessage: fc.constant({ action: 'STARTED' }) }),
    fc.record({ receiptMessage: fc.constant({ isRead: true, timestamps: [1] }) }),
    fc.record({
      dataMessage: fc.record({
        reaction: fc.record({ emoji: fc.string(), targetSentTimestamp: fc.nat() }),
      }),
    }),
  ),
  junk: fc.option(fc.dictionary(fc.string(), fc.anything()), { nil: undefined }),
});

describe('inbound pipeline properties', () => {
  let t: TestApp;
  /** What the pipeline handed on to command dispatch. */
  let handled: InboundMessage[];
  beforeEach(async () => {
    handled = [];
    const dispatcher = {
      handle: async (m: InboundMessage) => {
        handled.push(m);
        return 'handled';
      },
    };
    t = await createApp({
      listen: false,
      override: (b) => b.overrideProvider(CommandDispatcher).useValue(dispatcher),
    });
  });
  afterEach(() => t.close());

  it('never throws, never hands over a stranger’s text, never handles a key twice', async () => {
    const pipeline = t.app.get(InboundPipeline);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            envelope.map((e) => ({ e })),
            fc.anything().map((junk) => ({ junk })),
          ),
          { maxLength: 30 },
        ),
        async (events) => {
          const raws = events.map((event) => {
            if ('junk' in event) return JSON.stringify(event.junk) ?? 'undefined';
            const { sender, device, timestamp, body, junk } = event.e;
            return JSON.stringify({
              envelope: {
                ...junk,
                source: sender.sourceNumber ?? sender.sourceUuid,
                sourceNumber: sender.sourceNumber,
                sourceUuid: sender.sourceUuid,
                sourceDevice: device,
                timestamp,
                ...body,
              },
              account: BOT_ACCOUNT,
            });
          });
          const outcomes = await Promise.all(raws.map((raw) => pipeline.process(raw)));
          expect(
            outcomes.every((o) =>
              ['handled', 'duplicate', 'unauthorized', 'ignored', 'malformed'].includes(o),
            ),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect(handled.every((m) => m.sender.number === OWNER_NUMBER)).toBe(true);
    const keys = handled.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(handled.length).toBeGreaterThan(0);
  });

  it('handles 10,000 concurrent copies of one message once', async () => {
    const pipeline = t.app.get(InboundPipeline);
    const raw = JSON.stringify({
      envelope: {
        sourceNumber: OWNER_NUMBER,
        sourceUuid: OWNER_UUID,
        sourceDevice: 1,
        timestamp: 77,
        dataMessage: { message: 'hi' },
      },
      account: BOT_ACCOUNT,
    });
    const outcomes = await Promise.all(Array.from({ length: 10_000 }, () => pipeline.process(raw)));
    expect(handled).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'handled')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9999);
  });
});

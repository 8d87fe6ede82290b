import { Clock } from '../common/clock';
import type { OutgoingAttachment, TextStyle } from '../modules/signal/text-style';
import { Faults } from './faults';

/** One message the bot sent, as the simulator received it. */
export interface SentMessage {
  timestamp: number;
  via: 'signal-cli' | 'rest';
  recipients: string[];
  groupId: string | null;
  noteToSelf: boolean;
  message: string;
  quoteTimestamp: number | null;
  editTimestamp: number | null;
  /** False when sent without the urgent flag (no push notification on the phone). */
  urgent: boolean;
  /** Styles as the phone would show them (ranges in UTF-16 units of `message`). */
  textStyles: TextStyle[];
  attachments: OutgoingAttachment[];
}

/** A data URI (`data:<type>;filename=<name>;base64,<data>`) as the phone receives the file. */
export function attachmentFromDataUri(uri: string): OutgoingAttachment {
  const match = /^data:([^;,]+)(?:;filename=([^;,]*))?;base64,(.*)$/s.exec(uri);
  if (!match) throw new Error('attachment is not a base64 data URI');
  return { contentType: match[1], filename: match[2] ?? '', data: Buffer.from(match[3], 'base64') };
}

/** A JSON-RPC call or REST request the bot made. */
export interface RecordedRequest {
  path: string;
  body: unknown;
  at: number;
}

/** What Signal made of a send, in signal-cli's `{timestamp, results}` form; each API words it. */
export interface SendOutcome {
  kind: 'ok' | 'rate-limited' | 'failed';
  response: { timestamp: number; results: Record<string, unknown>[] };
}

/** The simulated Signal service behind both APIs: who exists, what was sent, and when. */
export class SignalNetwork {
  readonly sent: SentMessage[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Numbers or UUIDs Signal does not know. */
  readonly unregistered = new Set<string>();
  private lastTimestamp = 0;

  constructor(
    private readonly clock: Clock,
    private readonly faults: Faults,
  ) {}

  /** Signal timestamps are message ids, so two in the same millisecond must still differ. */
  /** Typing indicators the bot sent, in order. */
  readonly typing: { via: 'signal-cli' | 'rest'; to: string; stop: boolean }[] = [];

  /** Files the phone sent, by attachment id: what getAttachment and /v1/attachments serve. */
  readonly files = new Map<string, Buffer>();

  nextTimestamp(): number {
    this.lastTimestamp = Math.max(this.lastTimestamp + 1, this.clock.nowMs());
    return this.lastTimestamp;
  }

  record(path: string, body: unknown): void {
    this.requests.push({ path, body, at: this.clock.nowMs() });
  }

  /** Sends `message` unless a fault or an unknown recipient stops it; records it if it went. */
  acceptSend(message: Omit<SentMessage, 'timestamp'>): SendOutcome {
    const timestamp = this.nextTimestamp();
    // A group send has one result with no recipient address.
    const addresses = message.groupId ? [null] : message.recipients;
    const limited = this.faults.takeRateLimit();
    if (limited) {
      const results = addresses.map((address) => ({
        recipientAddress: { uuid: null, number: address },
        type: 'RATE_LIMIT_FAILURE',
        ...(limited.token ? { token: limited.token } : {}),
        ...(limited.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: limited.retryAfterSeconds }
          : {}),
      }));
      return { kind: 'rate-limited', response: { timestamp, results } };
    }
    const results = addresses.map((address) => ({
      recipientAddress: { uuid: null, number: address },
      type: address && this.unregistered.has(address) ? 'UNREGISTERED_FAILURE' : 'SUCCESS',
      ...(message.groupId ? { groupId: message.groupId } : {}),
    }));
    if (results.every((r) => r.type !== 'SUCCESS'))
      return { kind: 'failed', response: { timestamp, results } };
    this.sent.push({ ...message, timestamp });
    return { kind: 'ok', response: { timestamp, results } };
  }

  clearRecords(): void {
    this.sent.length = 0;
    this.requests.length = 0;
  }
}

import type { Conversation } from '../../common/conversations';
import { DomainError } from '../../common/errors';
import type { OutgoingAttachment, TextStyle } from './text-style';

/** Where a message goes: a conversation as parsed from an envelope. */
export type SendTarget = Conversation;

export interface SendRequest {
  to: SendTarget;
  text: string;
  /** Reply to a message by its timestamp and author (number or ACI). */
  quote?: { timestamp: number; author: string };
  /** Replace a message we sent earlier (Signal edit, by that message's timestamp). */
  editTimestamp?: number;
  /**
   * Deliver without a push notification (Signal's "not urgent" flag; signal-cli only: the REST
   * API has no such field, so there it arrives as usual).
   */
  quiet?: boolean;
  /** Styles over parts of `text` (UTF-16 ranges): code in monospace. */
  textStyles?: TextStyle[];
  /** Files sent with the message. */
  attachments?: OutgoingAttachment[];
}

export type RecipientStatus =
  'sent' | 'rate-limited' | 'unregistered' | 'identity-failure' | 'network-failure' | 'failed';

export interface RecipientOutcome {
  /** Number or ACI, when Signal named the recipient. */
  address: string | null;
  status: RecipientStatus;
  /** How long Signal asked us to wait, when it said. */
  retryAfterSeconds?: number;
  /** Present only when Signal wants a captcha (proof required). */
  challengeToken?: string;
}

/** What a send achieved. Rate limits are data here, not exceptions. */
export interface SendOutcome {
  /** Signal's timestamp for the message; null when nothing was sent. */
  timestamp: number | null;
  recipients: RecipientOutcome[];
}

export type TransportErrorCode = 'UNREACHABLE' | 'REJECTED' | 'PROTOCOL';

declare module '../../common/errors/domain-error' {
  interface ErrorCodes {
    signal: TransportErrorCode;
  }
}

/** The transport could not be reached, refused the request, or answered nonsense. */
export class SignalTransportError extends DomainError<'signal'> {
  /**
   * @param reason the cause alone, without the request the message names (`ECONNREFUSED`,
   *   `no answer within 5000 ms`), where there is one
   */
  constructor(
    code: TransportErrorCode,
    message: string,
    readonly reason?: string,
  ) {
    super('signal', code, message);
  }
}

/** Callbacks for one connection's life. */
export interface StreamHandlers {
  /** One raw event as text: an SSE `data:` payload or a WebSocket frame. Not yet parsed. */
  onEvent(raw: string): void;
  /** The stream ended (closed, errored or dropped); `reason` says why. Called once. */
  onClose(reason: string): void;
  /** Proof of life from the server (an SSE keep-alive comment, a WebSocket ping or pong). */
  onKeepAlive?(): void;
}

export interface Stream {
  close(): void;
}

/**
 * The port every Signal transport implements (signal-cli's HTTP daemon, signal-cli-rest-api).
 * Tests swap it or point it at the bundled simulator.
 */
export abstract class SignalTransport {
  /** Which transport this is, for logs and health. */
  abstract readonly kind: string;

  /**
   * Silence longer than this means the stream is dead though still open (half-open): twice
   * signal-cli's 15 s SSE comment; over the REST API, `REST_PONG_TIMEOUT_SECONDS` without a
   * pong to the daemon's own WebSocket ping.
   */
  abstract readonly silenceLimitMs: number;

  /** Opens the event stream; resolves once it is open, rejects if it cannot be opened. */
  abstract openStream(handlers: StreamHandlers): Promise<Stream>;

  abstract send(request: SendRequest): Promise<SendOutcome>;

  abstract sendTyping(to: SendTarget, stop?: boolean): Promise<void>;

  /** The bytes of a file the phone sent, by the id its envelope gave (`from`: where it came). */
  abstract fetchAttachment(id: string, from: SendTarget): Promise<Buffer>;

  /** Lifts a proof-required rate limit with a solved captcha (`signalcaptcha://…`). */
  abstract submitRateLimitChallenge(challengeToken: string, captcha: string): Promise<void>;

  /** Whether the service answers at all (signal-cli `/api/v1/check`, REST `/v1/health`). */
  abstract check(): Promise<boolean>;
}

import { Injectable } from '@nestjs/common';
import WebSocket from 'ws';
import { Clock, Timer } from '../../../common/clock';
import { AppConfig } from '../../../common/config';
import {
  RecipientOutcome,
  SendOutcome,
  SendRequest,
  SendTarget,
  SignalTransport,
  SignalTransportError,
  Stream,
  StreamHandlers,
} from '../signal-transport.port';
import { describe, requestJson } from './http-json';
import { toRecipientOutcomes, toTimestamp } from './send-results';
import { attachmentDataUri, restStyledText } from '../text-style';

const REQUEST_TIMEOUT_MS = 30_000;
/** A file can take a while on a slow link. */
const ATTACHMENT_TIMEOUT_MS = 120_000;

/**
 * signal-cli-rest-api in json-rpc mode: events from the WebSocket `/v1/receive/{number}`, sends
 * through `POST /v2/send`. Messages that arrive while no socket is connected are lost by that
 * API itself; prefer the signal-cli transport.
 *
 * The server pings only every 54 s, so the daemon pings too (every `REST_PING_SECONDS`); the
 * server answers each with a pong, and a pong missing for `REST_PONG_TIMEOUT_SECONDS` shows a
 * half-open link to the supervisor's watchdog within seconds instead of minutes.
 */
@Injectable()
export class RestTransport extends SignalTransport {
  readonly kind = 'rest';

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  get silenceLimitMs(): number {
    return this.config.signal.restPongTimeoutMs;
  }

  private get url(): string {
    return this.config.signal.url;
  }

  private get number(): string {
    return this.config.signal.account;
  }

  openStream(handlers: StreamHandlers): Promise<Stream> {
    const url = `${this.url.replace(/^http/, 'ws')}/v1/receive/${encodeURIComponent(this.number)}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      let open = false;
      let closed = false;
      let pings: Timer | undefined;
      const close = (reason: string): void => {
        if (closed) return;
        closed = true;
        pings?.cancel();
        socket.terminate();
        if (open) handlers.onClose(reason);
        else reject(new SignalTransportError('UNREACHABLE', `${url}: ${reason}`));
      };
      socket.on('open', () => {
        open = true;
        pings = this.clock.repeat(() => socket.ping(), this.config.signal.restPingMs);
        resolve({ close: () => close('closed by the daemon') });
      });
      socket.on('message', (data: WebSocket.RawData) => handlers.onEvent(data.toString()));
      socket.on('ping', () => handlers.onKeepAlive?.());
      socket.on('pong', () => handlers.onKeepAlive?.());
      socket.on('close', (code: number) => close(`socket closed (${code})`));
      socket.on('error', (error: Error) => close(describe(error)));
    });
  }

  async send(request: SendRequest): Promise<SendOutcome> {
    const body: Record<string, unknown> = {
      number: this.number,
      recipients: [this.recipient(request.to)],
      message: request.text,
    };
    if (request.to.kind === 'note-to-self') body.notify_self = true;
    if (request.quote) {
      body.quote_timestamp = request.quote.timestamp;
      body.quote_author = request.quote.author;
    }
    if (request.editTimestamp) body.edit_timestamp = request.editTimestamp;
    const styled = request.textStyles?.length
      ? restStyledText(request.text, request.textStyles)
      : undefined;
    if (styled !== undefined) {
      body.message = styled;
      body.text_mode = 'styled';
    }
    if (request.attachments?.length) {
      body.base64_attachments = request.attachments.map(attachmentDataUri);
    }
    const url = `${this.url}/v2/send`;
    const answer = await requestJson(this.clock, 'POST', url, body, REQUEST_TIMEOUT_MS);
    if (answer.status === 201) return this.sent(answer.body, request.to);
    if (answer.status === 429) return rateLimited(answer.body);
    throw new SignalTransportError(
      'REJECTED',
      `send: HTTP ${answer.status} ${errorText(answer.body)}`,
    );
  }

  async sendTyping(to: SendTarget, stop = false): Promise<void> {
    const url = `${this.url}/v1/typing-indicator/${encodeURIComponent(this.number)}`;
    const body = { recipient: this.recipient(to) };
    const answer = await requestJson(
      this.clock,
      stop ? 'DELETE' : 'PUT',
      url,
      body,
      REQUEST_TIMEOUT_MS,
    );
    if (answer.status >= 300) {
      throw new SignalTransportError('REJECTED', `typing: HTTP ${answer.status}`);
    }
  }

  async fetchAttachment(id: string): Promise<Buffer> {
    const url = `${this.url}/v1/attachments/${encodeURIComponent(id)}`;
    const controller = new AbortController();
    const deadline = this.clock.schedule(() => controller.abort(), ATTACHMENT_TIMEOUT_MS);
    try {
      const response = await fetch(url, { signal: controller.signal });
      if (!response.ok) {
        throw new SignalTransportError('REJECTED', `attachment: HTTP ${response.status}`);
      }
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof SignalTransportError) throw error;
      throw new SignalTransportError('UNREACHABLE', `attachment: ${describe(error)}`);
    } finally {
      deadline.cancel();
    }
  }

  async submitRateLimitChallenge(challengeToken: string, captcha: string): Promise<void> {
    const url = `${this.url}/v1/accounts/${encodeURIComponent(this.number)}/rate-limit-challenge`;
    const body = { challenge_token: challengeToken, captcha };
    const answer = await requestJson(this.clock, 'POST', url, body, REQUEST_TIMEOUT_MS);
    if (answer.status >= 300) {
      throw new SignalTransportError(
        'REJECTED',
        `rate-limit-challenge: HTTP ${answer.status} ${errorText(answer.body)}`,
      );
    }
  }

  async check(): Promise<boolean> {
    try {
      const url = `${this.url}/v1/health`;
      return (
        (await requestJson(this.clock, 'GET', url, undefined, REQUEST_TIMEOUT_MS)).status === 204
      );
    } catch {
      return false;
    }
  }

  /** The REST API addresses groups as `group.` + base64 of signal-cli's (already base64) id. */
  private recipient(to: SendTarget): string {
    if (to.kind === 'group') return `group.${Buffer.from(to.groupId).toString('base64')}`;
    if (to.kind === 'note-to-self') return this.number;
    return to.peer;
  }

  /** Release 0.100 answers `{timestamp:"…"}`; later builds an array with per-recipient errors. */
  private sent(body: unknown, to: SendTarget): SendOutcome {
    const parts = (Array.isArray(body) ? body : [body]) as {
      timestamp?: unknown;
      errors?: { recipients?: unknown };
    }[];
    const timestamp = toTimestamp(parts[0]?.timestamp);
    const failures = parts.flatMap((p) => toRecipientOutcomes(p?.errors?.recipients));
    const address = to.kind === 'dm' ? to.peer : to.kind === 'note-to-self' ? this.number : null;
    const recipients: RecipientOutcome[] =
      failures.length > 0 ? failures : [{ address, status: 'sent' }];
    return { timestamp, recipients };
  }
}

/** A 429 carries challenge tokens; `""` means a plain rate limit with no captcha to solve. */
function rateLimited(body: unknown): SendOutcome {
  const tokens = (body as { challenge_tokens?: unknown } | null)?.challenge_tokens;
  const list = Array.isArray(tokens) && tokens.length > 0 ? (tokens as unknown[]) : [''];
  return {
    timestamp: null,
    recipients: list.map((token) => {
      const outcome: RecipientOutcome = { address: null, status: 'rate-limited' };
      if (typeof token === 'string' && token) outcome.challengeToken = token;
      return outcome;
    }),
  };
}

function errorText(body: unknown): string {
  return typeof body === 'object' && body !== null && 'error' in body
    ? String((body as { error: unknown }).error)
    : '';
}

import { Injectable } from '@nestjs/common';
import { createParser } from 'eventsource-parser';
import { Clock } from '../../../common/clock';
import { AppConfig } from '../../../common/config';
import {
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
import { attachmentDataUri, signalCliTextStyles } from '../text-style';

const REQUEST_TIMEOUT_MS = 30_000;
/** A single event larger than this is garbage; the parser is reset rather than grown forever. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

interface RpcAnswer {
  result?: Record<string, unknown>;
  error?: {
    code: number;
    message: string;
    data?: { response?: { timestamp?: unknown; results?: unknown } };
  };
}

/**
 * signal-cli's own HTTP daemon (`signal-cli -a ACCOUNT daemon --http --receive-mode=on-connection`):
 * events from `GET /api/v1/events` (SSE), requests to `POST /api/v1/rpc` (JSON-RPC).
 */
@Injectable()
export class SignalCliTransport extends SignalTransport {
  readonly kind = 'signal-cli';
  /** Two of signal-cli's keep-alive comments, sent every 15 s, missed. */
  readonly silenceLimitMs = 30_000;
  private nextId = 1;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  private get url(): string {
    return this.config.signal.url;
  }

  async openStream(handlers: StreamHandlers): Promise<Stream> {
    const controller = new AbortController();
    const url = `${this.url}/api/v1/events?account=${encodeURIComponent(this.config.signal.account)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Accept: 'text/event-stream' },
        signal: controller.signal,
      });
    } catch (error) {
      throw new SignalTransportError('UNREACHABLE', `GET ${url}: ${describe(error)}`);
    }
    if (!response.ok || !response.body) {
      throw new SignalTransportError('REJECTED', `GET ${url}: HTTP ${response.status}`);
    }
    let closed = false;
    const close = (reason: string): void => {
      if (closed) return;
      closed = true;
      controller.abort();
      handlers.onClose(reason);
    };
    const parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (event) => handlers.onEvent(event.data),
      onComment: () => handlers.onKeepAlive?.(),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') parser.reset();
      },
    });
    const body = response.body as unknown as AsyncIterable<Uint8Array>;
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of body) parser.feed(decoder.decode(chunk, { stream: true }));
        close('event stream ended');
      } catch (error) {
        close(`event stream failed: ${describe(error)}`);
      }
    })();
    return { close: () => close('closed by the daemon') };
  }

  async send(request: SendRequest): Promise<SendOutcome> {
    const params: Record<string, unknown> = { message: request.text, ...target(request.to) };
    if (request.quote) {
      params.quoteTimestamp = request.quote.timestamp;
      params.quoteAuthor = request.quote.author;
    }
    if (request.editTimestamp) params.editTimestamp = request.editTimestamp;
    if (request.quiet) params.noUrgent = true;
    if (request.textStyles?.length) params.textStyle = signalCliTextStyles(request.textStyles);
    if (request.attachments?.length) params.attachment = request.attachments.map(attachmentDataUri);
    const answer = await this.rpc('send', params);
    if (answer.result) {
      return {
        timestamp: toTimestamp(answer.result.timestamp),
        recipients: toRecipientOutcomes(answer.result.results),
      };
    }
    const response = answer.error?.data?.response;
    if (response?.results) {
      // -5 (rate limit), -4 (identity) and -1 carry per-recipient results: data, not failure.
      return { timestamp: null, recipients: toRecipientOutcomes(response.results) };
    }
    throw new SignalTransportError('REJECTED', `send: ${answer.error?.message ?? 'no result'}`);
  }

  async sendTyping(to: SendTarget, stop = false): Promise<void> {
    const answer = await this.rpc('sendTyping', { ...target(to), stop });
    if (answer.error) {
      throw new SignalTransportError('REJECTED', `sendTyping: ${answer.error.message}`);
    }
  }

  async fetchAttachment(id: string, from: SendTarget): Promise<Buffer> {
    const answer = await this.rpc('getAttachment', { id, ...target(from) });
    const data = answer.result?.data;
    if (typeof data !== 'string') {
      throw new SignalTransportError(
        'REJECTED',
        `getAttachment: ${answer.error?.message ?? 'no data'}`,
      );
    }
    return Buffer.from(data, 'base64');
  }

  async submitRateLimitChallenge(challengeToken: string, captcha: string): Promise<void> {
    const answer = await this.rpc('submitRateLimitChallenge', {
      challenge: challengeToken,
      captcha,
    });
    if (answer.error) {
      throw new SignalTransportError(
        'REJECTED',
        `submitRateLimitChallenge: ${answer.error.message}`,
      );
    }
  }

  async check(): Promise<boolean> {
    try {
      const url = `${this.url}/api/v1/check`;
      return (
        (await requestJson(this.clock, 'GET', url, undefined, REQUEST_TIMEOUT_MS)).status === 200
      );
    } catch {
      return false;
    }
  }

  private async rpc(method: string, params: Record<string, unknown>): Promise<RpcAnswer> {
    const body = {
      jsonrpc: '2.0',
      id: String(this.nextId++),
      method,
      params: { account: this.config.signal.account, ...params },
    };
    const url = `${this.url}/api/v1/rpc`;
    const answer = await requestJson(this.clock, 'POST', url, body, REQUEST_TIMEOUT_MS);
    if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null) {
      throw new SignalTransportError('PROTOCOL', `${method}: HTTP ${answer.status}`);
    }
    return answer.body as RpcAnswer;
  }
}

function target(to: SendTarget): Record<string, unknown> {
  switch (to.kind) {
    case 'group':
      return { groupId: to.groupId };
    case 'note-to-self':
      return { noteToSelf: true, notifySelf: true };
    case 'dm':
      return { recipient: [to.peer] };
  }
}

import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { Clock, SystemClock, Timer } from '../common/clock';

/** A phone user the simulator can play. */
export interface SimulatedUser {
  number: string | null;
  uuid: string;
  name?: string;
  device?: number;
}

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
}

export interface SimulatorOptions {
  /** The bot's account number. */
  account: string;
  clock?: Clock;
  host?: string;
  port?: number;
  /** How `/v2/send` answers: release 0.100's object or master's array. */
  restResponseShape?: 'object' | 'array';
}

interface RateLimitFault {
  remaining: number;
  retryAfterSeconds?: number;
  proofRequired: boolean;
}

interface PhoneMessage {
  from: SimulatedUser;
  text: string;
  /** signal-cli's group id (base64); the message then goes to that group. */
  groupId?: string;
  groupName?: string;
  /** Reply to a message by timestamp. */
  quote?: { timestamp: number; author: string };
  /** Sent as a sync message to Note to Self from the bot's own account. */
  noteToSelf?: boolean;
  /** An edit of the phone's earlier message with this timestamp. */
  editOf?: number;
}

const SSE_KEEPALIVE_MS = 15_000;
const WS_PING_MS = 54_000;

/**
 * A stand-in for Signal behind both APIs the daemon speaks: signal-cli's HTTP daemon
 * (`/api/v1/rpc`, `/api/v1/events`, `/api/v1/check`) in `--receive-mode=on-connection`, and
 * signal-cli-rest-api in json-rpc mode (`/v2/send`, WebSocket `/v1/receive/{number}`). It plays
 * the phone (inject any envelope, or one built from a user and a text), records what the bot
 * sent, and injects faults on demand. Run alone with `npm run sim`; tests start it in-process.
 */
export class SignalSimulator {
  readonly account: string;
  readonly sent: SentMessage[] = [];
  /** Every JSON-RPC call and REST request the bot made, for assertions. */
  readonly requests: { path: string; body: unknown; at: number }[] = [];
  /** Numbers or UUIDs Signal does not know. */
  readonly unregistered = new Set<string>();

  private readonly clock: Clock;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sseClients = new Set<ServerResponse>();
  private readonly wsClients = new Set<WebSocket>();
  private readonly sockets = new Set<Socket>();
  /** signal-cli on-connection: what the phone sent while no event stream was attached. */
  private readonly waiting: string[] = [];
  private readonly timers: Timer[] = [];
  private lastTimestamp = 0;
  private refuseUntil = 0;
  private stalled = false;
  private delayMs = 0;
  private rateLimitFault?: RateLimitFault;
  private bucket?: { perMinute: number; burst: number; tokens: number; refilledAt: number };
  private readonly challengeTokens = new Set<string>();
  private url?: string;

  constructor(private readonly options: SimulatorOptions) {
    this.account = options.account;
    this.clock = options.clock ?? new SystemClock();
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      if (this.clock.nowMs() < this.refuseUntil) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
  }

  /** Starts listening on loopback; returns the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) =>
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as { port: number };
    this.url = `http://${this.options.host ?? '127.0.0.1'}:${port}`;
    this.timers.push(
      this.clock.repeat(() => this.keepAlive(), SSE_KEEPALIVE_MS),
      this.clock.repeat(() => this.ping(), WS_PING_MS),
    );
    return this.url;
  }

  get baseUrl(): string {
    if (!this.url) throw new Error('simulator not started');
    return this.url;
  }

  async stop(): Promise<void> {
    this.timers.forEach((t) => t.cancel());
    this.dropStreams();
    this.sockets.forEach((s) => s.destroy());
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- playing the phone -------------------------------------------------------------

  /** Delivers an event object exactly as given (wrapped as each API wraps it). */
  inject(event: unknown): void {
    this.deliver(JSON.stringify(event));
  }

  /** Delivers raw text as one event (garbage, half frames, huge lines). */
  injectRaw(text: string): void {
    this.deliver(text);
  }

  /** Builds the envelope a real phone would produce for `message` and delivers it; returns it. */
  phoneSends(message: PhoneMessage): { envelope: Record<string, unknown>; account: string } {
    const timestamp = this.nextTimestamp();
    const user = message.from;
    const data: Record<string, unknown> = {
      timestamp,
      message: message.text,
      expiresInSeconds: 0,
      isExpirationUpdate: false,
      viewOnce: false,
    };
    if (message.groupId) {
      data.groupInfo = {
        groupId: message.groupId,
        groupName: message.groupName ?? null,
        revision: 1,
        type: 'DELIVER',
      };
    }
    if (message.quote) {
      data.quote = {
        id: message.quote.timestamp,
        author: message.quote.author,
        authorNumber: message.quote.author,
        authorUuid: null,
        text: null,
        attachments: [],
      };
    }
    const envelope: Record<string, unknown> = {
      source: user.number ?? user.uuid,
      sourceNumber: user.number,
      sourceUuid: user.uuid,
      sourceName: user.name ?? null,
      sourceDevice: user.device ?? 1,
      timestamp,
      serverReceivedTimestamp: timestamp + 200,
      serverDeliveredTimestamp: timestamp + 240,
    };
    if (message.editOf !== undefined) {
      envelope.editMessage = { targetSentTimestamp: message.editOf, dataMessage: data };
    } else if (message.noteToSelf) {
      envelope.syncMessage = {
        sentMessage: {
          destination: user.number,
          destinationNumber: user.number,
          destinationUuid: user.uuid,
          ...data,
        },
      };
    } else {
      envelope.dataMessage = data;
    }
    const event = { envelope, account: this.account };
    this.inject(event);
    return event;
  }

  // ---- faults --------------------------------------------------------------------------

  /** Ends every event stream at once (SSE responses ended, WebSockets terminated). */
  dropStreams(): void {
    for (const res of this.sseClients) res.destroy();
    for (const ws of this.wsClients) ws.terminate();
    this.sseClients.clear();
    this.wsClients.clear();
  }

  /** Stops writing anything to open streams (no events, no keep-alives); sockets stay open. */
  stallStreams(stalled = true): void {
    this.stalled = stalled;
    if (!stalled) this.flushWaiting();
  }

  /** Refuses (resets) new connections for `ms`, and drops the current streams. */
  refuseConnections(ms: number): void {
    this.refuseUntil = this.clock.nowMs() + ms;
    this.dropStreams();
  }

  /** Answers the next `count` sends with a rate-limit failure. */
  rateLimitNextSends(
    count: number,
    options: { retryAfterSeconds?: number; proofRequired?: boolean } = {},
  ): void {
    this.rateLimitFault = {
      remaining: count,
      retryAfterSeconds: options.retryAfterSeconds,
      proofRequired: options.proofRequired ?? false,
    };
  }

  /**
   * Rate-limits sends above `perMinute`, allowing `burst` at once (a token bucket refilled
   * continuously, as Signal's is); 0 turns it off.
   */
  limitSendRate(perMinute: number, burst = perMinute): void {
    this.bucket =
      perMinute > 0
        ? { perMinute, burst, tokens: burst, refilledAt: this.clock.nowMs() }
        : undefined;
  }

  /** Delays every HTTP answer by `ms` (on the simulator's clock). */
  delayResponses(ms: number): void {
    this.delayMs = ms;
  }

  /** Clears every fault and the records. */
  reset(): void {
    this.refuseUntil = 0;
    this.stalled = false;
    this.delayMs = 0;
    this.rateLimitFault = undefined;
    this.bucket = undefined;
    this.sent.length = 0;
    this.requests.length = 0;
    this.waiting.length = 0;
  }

  /** How many event streams are attached now. */
  get connectedStreams(): number {
    return this.sseClients.size + this.wsClients.size;
  }

  /** Events waiting for a signal-cli stream to attach. */
  get waitingEvents(): number {
    return this.waiting.length;
  }

  // ---- delivery ------------------------------------------------------------------------

  private deliver(payload: string): void {
    const sse = this.stalled ? [] : [...this.sseClients];
    const ws = this.stalled ? [] : [...this.wsClients];
    if (sse.length === 0) this.waiting.push(payload);
    for (const res of sse) res.write(`event:receive\ndata:${payload}\n\n`);
    // The REST API forwards to connected sockets only; nobody connected means it is lost.
    for (const socket of ws) socket.send(payload);
  }

  private flushWaiting(): void {
    if (this.stalled || this.sseClients.size === 0) return;
    const pending = this.waiting.splice(0);
    for (const payload of pending)
      for (const res of this.sseClients) res.write(`event:receive\ndata:${payload}\n\n`);
  }

  private keepAlive(): void {
    if (this.stalled) return;
    for (const res of this.sseClients) res.write(':\n\n');
  }

  private ping(): void {
    if (this.stalled) return;
    for (const ws of this.wsClients) ws.ping();
  }

  private nextTimestamp(): number {
    this.lastTimestamp = Math.max(this.lastTimestamp + 1, this.clock.nowMs());
    return this.lastTimestamp;
  }

  // ---- HTTP ----------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const body = req.method === 'GET' ? undefined : await readBody(req);
    if (this.delayMs > 0 && !url.pathname.startsWith('/control'))
      await this.clock.sleep(this.delayMs);
    try {
      if (url.pathname === '/api/v1/events' && req.method === 'GET') return this.openSse(res);
      if (url.pathname === '/api/v1/check') return reply(res, 200, '');
      if (url.pathname === '/api/v1/rpc') return this.rpc(req, res, body ?? '');
      if (url.pathname === '/v1/health') return reply(res, 204, '');
      if (url.pathname === '/v1/about') {
        return json(res, 200, {
          versions: ['v1', 'v2'],
          build: 2,
          mode: 'json-rpc',
          version: 'simulator',
          capabilities: { 'v2/send': ['quotes', 'mentions'] },
        });
      }
      if (url.pathname === '/v2/send' && req.method === 'POST')
        return this.restSend(res, body ?? '');
      if (url.pathname.startsWith('/v1/typing-indicator/')) return reply(res, 204, '');
      if (url.pathname.startsWith('/v1/receipts/')) return reply(res, 204, '');
      if (
        url.pathname.startsWith('/v1/accounts/') &&
        url.pathname.endsWith('/rate-limit-challenge')
      ) {
        const { challenge_token: token } = JSON.parse(body ?? '{}') as { challenge_token?: string };
        return this.liftChallenge(token)
          ? reply(res, 204, '')
          : json(res, 400, { error: 'invalid challenge token' });
      }
      if (url.pathname.startsWith('/control/'))
        return this.control(url.pathname, req.method ?? 'GET', body, res);
      return json(res, 404, { error: 'not found' });
    } catch (error) {
      return json(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private openSse(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    this.sseClients.add(res);
    res.on('close', () => this.sseClients.delete(res));
    this.flushWaiting();
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const match = /^\/v1\/receive\/([^/?]+)/.exec(req.url ?? '');
    if (
      !match ||
      decodeURIComponent(match[1]) !== this.account ||
      this.clock.nowMs() < this.refuseUntil
    ) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.wsClients.add(ws);
      ws.on('close', () => this.wsClients.delete(ws));
      ws.on('error', () => this.wsClients.delete(ws));
    });
  }

  private rpc(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return reply(res, 415, '');
    let request: { id?: unknown; method?: string; params?: Record<string, unknown> };
    try {
      request = JSON.parse(body) as typeof request;
    } catch (error) {
      return json(res, 200, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: String(error) },
      });
    }
    this.requests.push({ path: `rpc:${request.method}`, body: request, at: this.clock.nowMs() });
    const answer = (payload: Record<string, unknown>) =>
      json(res, 200, { jsonrpc: '2.0', id: request.id ?? null, ...payload });
    const params = request.params ?? {};
    switch (request.method) {
      case 'send': {
        const recipients = toList(params.recipient ?? params.recipients);
        const groupId = (toList(params.groupId)[0] as string | undefined) ?? null;
        const outcome = this.acceptSend({
          via: 'signal-cli',
          recipients: params.noteToSelf ? [this.account] : recipients,
          groupId,
          noteToSelf: Boolean(params.noteToSelf),
          message: String(params.message ?? ''),
          quoteTimestamp: (params.quoteTimestamp as number | undefined) ?? null,
          editTimestamp: (params.editTimestamp as number | undefined) ?? null,
        });
        if (outcome.kind === 'ok') return answer({ result: outcome.response });
        const code = outcome.kind === 'rate-limited' ? -5 : -1;
        const message =
          outcome.kind === 'rate-limited'
            ? 'Failed to send message due to rate limiting'
            : 'Failed to send message';
        return answer({ error: { code, message, data: { response: outcome.response } } });
      }
      case 'sendTyping':
      case 'sendReceipt':
        return answer({ result: { timestamp: this.nextTimestamp(), results: [] } });
      case 'submitRateLimitChallenge':
        return this.liftChallenge(String(params.challenge ?? ''))
          ? answer({ result: {} })
          : answer({
              error: {
                code: -6,
                message:
                  'Captcha rejected, it may be outdated, already used or solved from a different IP address.',
              },
            });
      default:
        return answer({ error: { code: -32601, message: 'Method not implemented' } });
    }
  }

  private restSend(res: ServerResponse, body: string): void {
    const request = JSON.parse(body) as {
      number?: string;
      recipients?: string[];
      message?: string;
      quote_timestamp?: number;
      edit_timestamp?: number;
    };
    this.requests.push({ path: '/v2/send', body: request, at: this.clock.nowMs() });
    if (
      !request.number ||
      !Array.isArray(request.recipients) ||
      typeof request.message !== 'string'
    ) {
      return json(res, 400, { error: 'number, recipients and message are required' });
    }
    const group = request.recipients.find((r) => r.startsWith('group.'));
    const outcome = this.acceptSend({
      via: 'rest',
      recipients: group ? [] : request.recipients,
      groupId: group ? Buffer.from(group.slice('group.'.length), 'base64').toString() : null,
      noteToSelf: request.recipients.length === 1 && request.recipients[0] === this.account,
      message: request.message,
      quoteTimestamp: request.quote_timestamp ?? null,
      editTimestamp: request.edit_timestamp ?? null,
    });
    if (outcome.kind === 'rate-limited') {
      const tokens = outcome.response.results.map((r) => (r.token as string | undefined) ?? '');
      return json(res, 429, {
        error:
          "Failed to send message due to rate limiting. Use the attached challenge tokens to lift the rate limit restrictions via the '/v1/accounts/{number}/rate-limit-challenge' endpoint.",
        challenge_tokens: tokens,
        account: this.account,
      });
    }
    if (outcome.kind === 'failed') return json(res, 400, { error: 'Failed to send message' });
    const timestamp = String(outcome.response.timestamp);
    return json(
      res,
      201,
      this.options.restResponseShape === 'array' ? [{ timestamp }] : { timestamp },
    );
  }

  private acceptSend(message: Omit<SentMessage, 'timestamp'>): {
    kind: 'ok' | 'rate-limited' | 'failed';
    response: { timestamp: number; results: Record<string, unknown>[] };
  } {
    const timestamp = this.nextTimestamp();
    const addresses = message.groupId ? [null] : message.recipients;
    const limited = this.takeRateLimit();
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

  private takeRateLimit(): { token?: string; retryAfterSeconds?: number } | undefined {
    const fault = this.rateLimitFault;
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      const token = fault.proofRequired ? randomUUID() : undefined;
      if (token) this.challengeTokens.add(token);
      return {
        token,
        retryAfterSeconds: fault.retryAfterSeconds ?? (fault.proofRequired ? 86_400 : undefined),
      };
    }
    const bucket = this.bucket;
    if (!bucket) return undefined;
    const now = this.clock.nowMs();
    bucket.tokens = Math.min(
      bucket.burst,
      bucket.tokens + ((now - bucket.refilledAt) * bucket.perMinute) / 60_000,
    );
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return { retryAfterSeconds: Math.ceil(((1 - bucket.tokens) * 60) / bucket.perMinute) };
  }

  private liftChallenge(token: string | undefined): boolean {
    if (!token || !this.challengeTokens.delete(token)) return false;
    this.rateLimitFault = undefined;
    return true;
  }

  private control(
    path: string,
    method: string,
    body: string | undefined,
    res: ServerResponse,
  ): void {
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    switch (`${method} ${path}`) {
      case 'GET /control/sent':
        return json(res, 200, this.sent);
      case 'POST /control/inject':
        this.inject(input.event ?? input);
        return json(res, 200, { ok: true });
      case 'POST /control/phone':
        return json(res, 200, this.phoneSends(input as unknown as PhoneMessage));
      case 'POST /control/faults': {
        if (input.drop) this.dropStreams();
        if (typeof input.stall === 'boolean') this.stallStreams(input.stall);
        if (typeof input.refuseMs === 'number') this.refuseConnections(input.refuseMs);
        if (typeof input.rateLimitNext === 'number') {
          this.rateLimitNextSends(input.rateLimitNext, {
            retryAfterSeconds: input.retryAfterSeconds as number | undefined,
            proofRequired: input.proofRequired === true,
          });
        }
        if (typeof input.perMinute === 'number') {
          this.limitSendRate(
            input.perMinute,
            (input.burst as number | undefined) ?? input.perMinute,
          );
        }
        if (typeof input.delayMs === 'number') this.delayResponses(input.delayMs);
        return json(res, 200, { ok: true });
      }
      case 'POST /control/reset':
        this.reset();
        return json(res, 200, { ok: true });
      default:
        return json(res, 404, { error: 'unknown control call' });
    }
  }
}

function toList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(text);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

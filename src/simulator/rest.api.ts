import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { Clock, Timer } from '../common/clock';
import { Faults } from './faults';
import { Api, json, reply } from './http';
import { parseRestStyledText } from '../modules/signal/text-style';
import { attachmentFromDataUri, SignalNetwork } from './network';

const PING_MS = 54_000;

interface SendRequest {
  number?: string;
  recipients?: string[];
  message?: string;
  quote_timestamp?: number;
  edit_timestamp?: number;
  text_mode?: 'normal' | 'styled';
  base64_attachments?: string[];
}

/** signal-cli-rest-api in json-rpc mode (`/v2/send`, WebSocket `/v1/receive/{number}`, …). */
export class RestApi implements Api {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  /** Sockets the network lost silently: open at both ends, but nothing gets through. */
  private readonly halfOpen = new Set<WebSocket>();
  private pongs = 0;

  constructor(
    private readonly account: string,
    private readonly clock: Clock,
    private readonly network: SignalNetwork,
    private readonly faults: Faults,
    /** How `/v2/send` answers: release 0.100's object or master's array. */
    private readonly sendResponseShape: 'object' | 'array' = 'object',
  ) {}

  handle(req: IncomingMessage, path: string, body: string | undefined, res: ServerResponse) {
    if (path === '/v1/health') reply(res, 204, '');
    else if (path === '/v1/about') this.about(res);
    else if (path === '/v1/accounts' && req.method === 'GET')
      json(res, 200, this.network.unregistered.has(this.account) ? [] : [this.account]);
    else if (path === '/v2/send' && req.method === 'POST') this.send(res, body ?? '');
    else if (path.startsWith('/v1/typing-indicator/')) this.typing(req, res, body);
    else if (path.startsWith('/v1/attachments/') && req.method === 'GET')
      this.attachment(res, path);
    else if (path.startsWith('/v1/receipts/')) reply(res, 204, '');
    else if (path.startsWith('/v1/accounts/') && path.endsWith('/rate-limit-challenge'))
      this.liftChallenge(res, body);
    else return false;
    return true;
  }

  /** Accepts the receive WebSocket for our account only, and not while refusing connections. */
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const match = /^\/v1\/receive\/([^/?]+)/.exec(req.url ?? '');
    if (!match || decodeURIComponent(match[1]) !== this.account || this.faults.refusing) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('error', () => this.sockets.delete(ws));
      // `ws` has already answered with a pong (autoPong) when this fires.
      ws.on('ping', () => this.pongs++);
    });
  }

  /** The REST API pings its sockets on this period; the daemon's stall detector relies on it. */
  startPings(): Timer {
    return this.clock.repeat(() => {
      if (this.faults.stalled) return;
      for (const ws of this.sockets) ws.ping();
    }, PING_MS);
  }

  /**
   * The REST API forwards to connected sockets only: with nobody connected, or only a half-open
   * socket, the event is lost.
   */
  deliver(payload: string): void {
    if (this.faults.stalled) return;
    for (const ws of [...this.sockets]) ws.send(payload);
  }

  /**
   * Every open socket goes half-open: it stays open, but from now on nothing gets through in
   * either direction (no events, no pings, the daemon's pings unanswered). New sockets work.
   */
  halfOpenStreams(): void {
    for (const ws of this.sockets) {
      ws.pause(); // left unread, the daemon's pings are never answered
      this.halfOpen.add(ws);
    }
    this.sockets.clear();
  }

  dropStreams(): void {
    for (const ws of [...this.sockets, ...this.halfOpen]) ws.terminate();
    this.sockets.clear();
    this.halfOpen.clear();
  }

  /** Pongs sent so far, each answering a ping from the daemon. */
  get pongsSent(): number {
    return this.pongs;
  }

  get connectedStreams(): number {
    return this.sockets.size;
  }

  close(): void {
    this.wss.close();
  }

  private about(res: ServerResponse): void {
    json(res, 200, {
      versions: ['v1', 'v2'],
      build: 2,
      mode: 'json-rpc',
      version: 'simulator',
      capabilities: { 'v2/send': ['quotes', 'mentions'] },
    });
  }

  private typing(req: IncomingMessage, res: ServerResponse, body: string | undefined): void {
    const { recipient } = JSON.parse(body || '{}') as { recipient?: string };
    this.network.typing.push({ via: 'rest', to: recipient ?? '', stop: req.method === 'DELETE' });
    reply(res, 204, '');
  }

  private attachment(res: ServerResponse, path: string): void {
    const file = this.network.files.get(decodeURIComponent(path.slice('/v1/attachments/'.length)));
    if (!file) return json(res, 404, { error: 'attachment not found' });
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    res.end(file);
  }

  private liftChallenge(res: ServerResponse, body: string | undefined): void {
    const { challenge_token: token } = JSON.parse(body ?? '{}') as { challenge_token?: string };
    if (this.faults.liftChallenge(token)) reply(res, 204, '');
    else json(res, 400, { error: 'invalid challenge token' });
  }

  private send(res: ServerResponse, body: string): void {
    const request = JSON.parse(body) as SendRequest;
    this.network.record('/v2/send', request);
    if (
      !request.number ||
      !Array.isArray(request.recipients) ||
      typeof request.message !== 'string'
    ) {
      return json(res, 400, { error: 'number, recipients and message are required' });
    }
    const group = request.recipients.find((r) => r.startsWith('group.'));
    const styled =
      request.text_mode === 'styled'
        ? parseRestStyledText(request.message)
        : { text: request.message, styles: [] };
    const outcome = this.network.acceptSend({
      via: 'rest',
      recipients: group ? [] : request.recipients,
      // `group.<id>` wraps signal-cli's group id in a second base64.
      groupId: group ? Buffer.from(group.slice('group.'.length), 'base64').toString() : null,
      noteToSelf: request.recipients.length === 1 && request.recipients[0] === this.account,
      message: styled.text,
      quoteTimestamp: request.quote_timestamp ?? null,
      editTimestamp: request.edit_timestamp ?? null,
      urgent: true, // the REST API has no way to send without the urgent flag
      textStyles: styled.styles,
      attachments: (request.base64_attachments ?? []).map(attachmentFromDataUri),
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
    // The timestamp is a string in this API.
    const timestamp = String(outcome.response.timestamp);
    return json(res, 201, this.sendResponseShape === 'array' ? [{ timestamp }] : { timestamp });
  }
}

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Clock, SystemClock, Timer } from '../common/clock';
import { ControlApi, SimulatorControls } from './control.api';
import { Faults } from './faults';
import { Api, json, readBody } from './http';
import { RecordedRequest, SentMessage, SignalNetwork } from './network';
import { attachmentId, buildEnvelope, buildReaction, PhoneMessage, PhoneReaction } from './phone';
import { RestApi } from './rest.api';
import { SignalCliApi } from './signal-cli.api';

export type { SentMessage } from './network';
export type { PhoneMessage, PhoneReaction, SimulatedUser } from './phone';

export interface SimulatorOptions {
  /** The bot's account number. */
  account: string;
  clock?: Clock;
  host?: string;
  port?: number;
  /** How `/v2/send` answers: release 0.100's object or master's array. */
  restResponseShape?: 'object' | 'array';
  /**
   * signal-cli's API as `signal-cli -a ACCOUNT daemon` serves it (no `listAccounts`), rather
   * than a multi-account `signal-cli daemon`.
   */
  signalCliSingleAccount?: boolean;
}

/**
 * A stand-in for Signal behind both APIs the daemon speaks: signal-cli's HTTP daemon
 * (`/api/v1/rpc`, `/api/v1/events`, `/api/v1/check`) in `--receive-mode=on-connection`, and
 * signal-cli-rest-api in json-rpc mode (`/v2/send`, WebSocket `/v1/receive/{number}`). It plays
 * the phone (inject any envelope, or one built from a user and a text), records what the bot
 * sent, and injects faults on demand. Run alone with `npm run sim`; tests start it in-process.
 */
export class SignalSimulator implements SimulatorControls {
  readonly account: string;
  readonly sent: SentMessage[];
  /** Every JSON-RPC call and REST request the bot made, for assertions. */
  readonly requests: RecordedRequest[];
  /** Typing indicators the bot sent (started, or `stop`), in order. */
  readonly typing: { via: 'signal-cli' | 'rest'; to: string; stop: boolean }[];
  /**
   * Numbers or UUIDs Signal does not know. The bot's own account in here is one that never
   * finished registering: signal-cli's `listAccounts` and the REST API's `/v1/accounts` leave it out.
   */
  readonly unregistered: Set<string>;

  private readonly clock: Clock;
  private readonly faults: Faults;
  private readonly network: SignalNetwork;
  private readonly signalCli: SignalCliApi;
  private readonly rest: RestApi;
  private readonly apis: Api[];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers: Timer[] = [];
  private url?: string;

  constructor(private readonly options: SimulatorOptions) {
    this.account = options.account;
    this.clock = options.clock ?? new SystemClock();
    this.faults = new Faults(this.clock);
    this.network = new SignalNetwork(this.clock, this.faults);
    this.sent = this.network.sent;
    this.requests = this.network.requests;
    this.typing = this.network.typing;
    this.unregistered = this.network.unregistered;
    this.signalCli = new SignalCliApi(
      this.account,
      this.clock,
      this.network,
      this.faults,
      options.signalCliSingleAccount,
    );
    this.rest = new RestApi(
      this.account,
      this.clock,
      this.network,
      this.faults,
      options.restResponseShape,
    );
    this.apis = [this.signalCli, this.rest, new ControlApi(this)];
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      if (this.faults.refusing) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) =>
      this.rest.upgrade(req, socket as Socket, head),
    );
  }

  /** Starts listening on loopback; returns the base URL. */
  async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve) => this.server.listen(this.options.port ?? 0, host, resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://${host}:${port}`;
    this.timers.push(this.signalCli.startKeepAlive(), this.rest.startPings());
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
    this.rest.close();
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
    const timestamp = this.network.nextTimestamp();
    message.attachments?.forEach((file, i) =>
      this.network.files.set(attachmentId(timestamp, i, file.contentType), file.data),
    );
    const event = buildEnvelope(this.account, message, timestamp);
    this.inject(event);
    return event;
  }

  /** Builds the envelope a real phone would produce for `reaction` and delivers it; returns it. */
  phoneReacts(reaction: PhoneReaction): { envelope: Record<string, unknown>; account: string } {
    const event = buildReaction(this.account, reaction, this.network.nextTimestamp());
    this.inject(event);
    return event;
  }

  // ---- faults --------------------------------------------------------------------------

  /** Ends every event stream at once (SSE responses ended, WebSockets terminated). */
  dropStreams(): void {
    this.signalCli.dropStreams();
    this.rest.dropStreams();
  }

  /** Stops writing anything to open streams (no events, no keep-alives); sockets stay open. */
  stallStreams(stalled = true): void {
    this.faults.stalled = stalled;
    if (!stalled) this.signalCli.flushWaiting();
  }

  /**
   * Leaves every open event stream half-open, as when a NAT or firewall forgets a connection:
   * both ends still think it open, but nothing more gets through either way (no events, no
   * keep-alives, WebSocket pings unanswered). Events sent into it are lost. New connections
   * work, so the fault heals once the daemon notices and reconnects.
   */
  halfOpenStreams(): void {
    this.signalCli.halfOpenStreams();
    this.rest.halfOpenStreams();
  }

  /** Refuses (resets) new connections for `ms`, and drops the current streams. */
  refuseConnections(ms: number): void {
    this.faults.refuseFor(ms);
    this.dropStreams();
  }

  /** Answers the next `count` sends with a rate-limit failure. */
  rateLimitNextSends(
    count: number,
    options: { retryAfterSeconds?: number; proofRequired?: boolean } = {},
  ): void {
    this.faults.rateLimitNext(count, options);
  }

  /**
   * Rate-limits sends above `perMinute`, allowing `burst` at once (a token bucket refilled
   * continuously, as Signal's is); 0 turns it off.
   */
  limitSendRate(perMinute: number, burst = perMinute): void {
    this.faults.limitRate(perMinute, burst);
  }

  /** Expires every captcha challenge handed out: submitting a solved captcha now fails. */
  expireChallenges(): void {
    this.faults.expireChallenges();
  }

  /** Delays every HTTP answer by `ms` (on the simulator's clock). */
  delayResponses(ms: number): void {
    this.faults.delayMs = ms;
  }

  /** Clears every fault and the records. */
  reset(): void {
    this.faults.clear();
    this.network.clearRecords();
    this.signalCli.clearWaiting();
  }

  /** How many event streams are attached now. */
  get connectedStreams(): number {
    return this.signalCli.connectedStreams + this.rest.connectedStreams;
  }

  /** Pongs the REST API sent, each answering a WebSocket ping from the daemon. */
  get pongsSent(): number {
    return this.rest.pongsSent;
  }

  /** Events waiting for a signal-cli stream to attach. */
  get waitingEvents(): number {
    return this.signalCli.waitingEvents;
  }

  private deliver(payload: string): void {
    this.signalCli.deliver(payload);
    this.rest.deliver(payload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const body = req.method === 'GET' ? undefined : await readBody(req);
    if (this.faults.delayMs > 0 && !path.startsWith('/control'))
      await this.clock.sleep(this.faults.delayMs);
    try {
      if (!this.apis.some((api) => api.handle(req, path, body, res)))
        json(res, 404, { error: 'not found' });
    } catch (error) {
      json(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

import { IncomingMessage, ServerResponse } from 'node:http';
import { Clock, Timer } from '../common/clock';
import { Faults } from './faults';
import { Api, json, reply } from './http';
import type { TextStyle } from '../modules/signal/text-style';
import { attachmentFromDataUri, SignalNetwork } from './network';

const KEEPALIVE_MS = 15_000;

interface RpcRequest {
  id?: unknown;
  method?: string;
  params?: Record<string, unknown>;
}

/**
 * signal-cli's HTTP daemon (`/api/v1/rpc`, `/api/v1/events`, `/api/v1/check`) in
 * `--receive-mode=on-connection`.
 */
export class SignalCliApi implements Api {
  private readonly streams = new Set<ServerResponse>();
  /** Streams the network lost silently: still open, but nothing written to them arrives. */
  private readonly halfOpen = new Set<ServerResponse>();
  /** On-connection mode keeps what arrives while no event stream is attached. */
  private readonly waiting: string[] = [];

  constructor(
    private readonly account: string,
    private readonly clock: Clock,
    private readonly network: SignalNetwork,
    private readonly faults: Faults,
    /** Answer as `signal-cli -a ACCOUNT daemon` does: one account, no `listAccounts`. */
    private readonly singleAccount = false,
  ) {}

  handle(req: IncomingMessage, path: string, body: string | undefined, res: ServerResponse) {
    if (path === '/api/v1/events' && req.method === 'GET') this.openStream(res);
    else if (path === '/api/v1/check') reply(res, 200, '');
    else if (path === '/api/v1/rpc') this.rpc(req, res, body ?? '');
    else return false;
    return true;
  }

  /** SSE comments keep idle proxies and the daemon's stall detector from closing the stream. */
  startKeepAlive(): Timer {
    return this.clock.repeat(() => {
      if (this.faults.stalled) return;
      for (const res of this.streams) res.write(':\n\n');
    }, KEEPALIVE_MS);
  }

  deliver(payload: string): void {
    const streams = this.faults.stalled ? [] : [...this.streams];
    // With only half-open streams, signal-cli believes a client is there: the event is lost.
    if (streams.length === 0 && (this.faults.stalled || this.halfOpen.size === 0))
      this.waiting.push(payload);
    for (const res of streams) res.write(event(payload));
  }

  /** Every open stream goes half-open: it stays open, but nothing written to it arrives. */
  halfOpenStreams(): void {
    for (const res of this.streams) {
      this.halfOpen.add(res);
      res.on('close', () => this.halfOpen.delete(res));
    }
    this.streams.clear();
  }

  flushWaiting(): void {
    if (this.faults.stalled || this.streams.size === 0) return;
    const pending = this.waiting.splice(0);
    for (const payload of pending) for (const res of this.streams) res.write(event(payload));
  }

  dropStreams(): void {
    for (const res of [...this.streams, ...this.halfOpen]) res.destroy();
    this.streams.clear();
    this.halfOpen.clear();
  }

  get connectedStreams(): number {
    return this.streams.size;
  }

  get waitingEvents(): number {
    return this.waiting.length;
  }

  clearWaiting(): void {
    this.waiting.length = 0;
  }

  private openStream(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
    this.flushWaiting();
  }

  private rpc(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return reply(res, 415, '');
    let request: RpcRequest;
    try {
      request = JSON.parse(body) as RpcRequest;
    } catch (error) {
      return json(res, 200, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: String(error) },
      });
    }
    this.network.record(`rpc:${request.method}`, request);
    const answer = (payload: Record<string, unknown>) =>
      json(res, 200, { jsonrpc: '2.0', id: request.id ?? null, ...payload });
    const params = request.params ?? {};
    switch (request.method) {
      case 'send':
        return answer(this.send(params));
      case 'getAttachment': {
        const file = this.network.files.get(String(params.id ?? ''));
        return file
          ? answer({ result: { data: file.toString('base64') } })
          : answer({ error: { code: -1, message: 'Attachment file not found' } });
      }
      case 'sendTyping':
        this.network.typing.push({
          via: 'signal-cli',
          to: String(toList(params.groupId)[0] ?? toList(params.recipient)[0] ?? this.account),
          stop: params.stop === true,
        });
        return answer({ result: { timestamp: this.network.nextTimestamp(), results: [] } });
      case 'sendReceipt':
        return answer({ result: { timestamp: this.network.nextTimestamp(), results: [] } });
      case 'listAccounts':
        return answer(this.listAccounts());
      case 'submitRateLimitChallenge':
        return this.faults.liftChallenge(String(params.challenge ?? ''))
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

  /**
   * A multi-account daemon lists the accounts that finished registering or linking; a
   * single-account one does not know the method.
   */
  private listAccounts(): Record<string, unknown> {
    if (this.singleAccount) return { error: { code: -32601, message: 'Method not implemented' } };
    const registered = !this.network.unregistered.has(this.account);
    return { result: registered ? [{ number: this.account, aci: null }] : [] };
  }

  private send(params: Record<string, unknown>): Record<string, unknown> {
    const outcome = this.network.acceptSend({
      via: 'signal-cli',
      recipients: params.noteToSelf
        ? [this.account]
        : toList(params.recipient ?? params.recipients),
      groupId: (toList(params.groupId)[0] as string | undefined) ?? null,
      noteToSelf: Boolean(params.noteToSelf),
      message: String(params.message ?? ''),
      quoteTimestamp: (params.quoteTimestamp as number | undefined) ?? null,
      editTimestamp: (params.editTimestamp as number | undefined) ?? null,
      urgent: params.noUrgent !== true,
      textStyles: toList(params.textStyle).map((style) => {
        const [start, length, name] = style.split(':');
        return { start: Number(start), length: Number(length), style: name as TextStyle['style'] };
      }),
      attachments: toList(params.attachment ?? params.attachments).map(attachmentFromDataUri),
    });
    if (outcome.kind === 'ok') return { result: outcome.response };
    const data = { response: outcome.response };
    return outcome.kind === 'rate-limited'
      ? { error: { code: -5, message: 'Failed to send message due to rate limiting', data } }
      : { error: { code: -1, message: 'Failed to send message', data } };
  }
}

function event(payload: string): string {
  return `event:receive\ndata:${payload}\n\n`;
}

/** signal-cli takes a single value or a list for its addressing parameters. */
function toList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

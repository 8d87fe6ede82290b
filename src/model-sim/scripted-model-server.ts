import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

/** One tool call the scripted model makes. */
export interface ScriptedToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** What the model answers to one request of the agent's main loop. */
export type ScriptedReply =
  | { text: string; delayMs?: number }
  | { tools: ScriptedToolCall[]; text?: string; delayMs?: number }
  | { status: number; error: { type: string; message: string } };

/** Makes the reply to one main-loop request from its body. */
export type Responder = (
  request: Record<string, unknown>,
) => ScriptedReply | Promise<ScriptedReply>;

/** One request the agent made, as received. */
export interface ModelRequest {
  path: string;
  /** The parsed JSON body (model, messages, tools, …). */
  body: Record<string, unknown>;
  /** Whether it carried tool definitions (the agent's main loop) or not (side requests). */
  main: boolean;
}

/**
 * A stand-in for the Messages API on loopback: the real Claude Code CLI talks to it through
 * `ANTHROPIC_BASE_URL` and gets scripted answers as the same event stream the real API sends.
 * Requests of the agent's main loop take the next scripted reply (a text, tool calls, or an HTTP
 * error); when the script is used up it answers "Done." Side requests (titles, summaries, token
 * counts) get a short text. Every request is recorded for assertions.
 */
export class ScriptedModelServer {
  readonly requests: ModelRequest[] = [];
  private script: ScriptedReply[] = [];
  /** Replies that repeat forever once reached (e.g. an outage), instead of being used up. */
  private sticky?: ScriptedReply | Responder;
  private readonly server: Server;
  private url?: string;
  private nextId = 1;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  get baseUrl(): string {
    if (!this.url) throw new Error('model server not started');
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues replies for the next main-loop requests, in order. */
  reply(...replies: ScriptedReply[]): this {
    this.script.push(...replies);
    return this;
  }

  /**
   * Answers every main-loop request with `reply` from now on, or with what `reply` makes of the
   * request (it may take its time: concurrent requests wait on each other that way); null: back
   * to the script.
   */
  always(reply: ScriptedReply | Responder | null): this {
    this.sticky = reply ?? undefined;
    return this;
  }

  /** Requests of the agent's main loop so far. */
  get mainRequests(): ModelRequest[] {
    return this.requests.filter((r) => r.main);
  }

  /** Clears the script and the records. */
  reset(): void {
    this.script = [];
    this.sticky = undefined;
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    if (path.startsWith('/control/')) {
      this.control(req.method ?? 'GET', path, body, res);
      return;
    }
    if (path.endsWith('/count_tokens')) {
      json(res, 200, { input_tokens: 100 });
      return;
    }
    if (!path.endsWith('/v1/messages')) {
      json(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'not found' } });
      return;
    }
    const main = Array.isArray(body.tools) && body.tools.length > 0;
    this.requests.push({ path, body, main });
    const next = main ? (this.sticky ?? this.script.shift()) : { text: 'Scripted session' };
    const reply = typeof next === 'function' ? await next(body) : (next ?? { text: 'Done.' });
    if ('status' in reply) {
      json(res, reply.status, { type: 'error', error: reply.error });
      return;
    }
    // A slow model: the agent waits, as it would for a long answer (real time, own process).
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    this.stream(res, body, reply);
  }

  /**
   * `/control/*`, for driving a server in another process: `POST /control/reply` queues the
   * replies in `{replies: [...]}`, `POST /control/always` sets `{reply}` (null: back to the
   * script), `POST /control/reset`, `GET /control/requests` lists what the agent asked.
   */
  private control(
    method: string,
    path: string,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): void {
    switch (`${method} ${path}`) {
      case 'POST /control/reply':
        this.reply(...((body.replies ?? []) as ScriptedReply[]));
        break;
      case 'POST /control/always':
        this.always((body.reply ?? null) as ScriptedReply | null);
        break;
      case 'POST /control/reset':
        this.reset();
        break;
      case 'GET /control/requests':
        json(res, 200, this.requests);
        return;
      default:
        json(res, 404, { error: 'unknown control call' });
        return;
    }
    json(res, 200, { ok: true });
  }

  private stream(
    res: ServerResponse,
    request: Record<string, unknown>,
    reply: { text?: string; tools?: ScriptedToolCall[] },
  ): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      'request-id': `req_${this.nextId}`,
    });
    const send = (type: string, data: Record<string, unknown>): void => {
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    };
    const id = `msg_scripted_${this.nextId++}`;
    send('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: typeof request.model === 'string' ? request.model : 'claude-scripted',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 100, output_tokens: 1 },
      },
    });
    let index = 0;
    if (reply.text) {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { index, delta: { type: 'text_delta', text: reply.text } });
      send('content_block_stop', { index });
      index++;
    }
    for (const call of reply.tools ?? []) {
      const toolId = `toolu_scripted_${this.nextId++}`;
      send('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: toolId, name: call.name, input: {} },
      });
      send('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.input) },
      });
      send('content_block_stop', { index });
      index++;
    }
    send('message_delta', {
      delta: { stop_reason: reply.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 20 },
    });
    send('message_stop', {});
    res.end();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

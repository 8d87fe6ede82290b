import { IncomingMessage, ServerResponse } from 'node:http';
import { Api, json } from './http';
import { PhoneMessage, PhoneReaction } from './phone';
import { SentMessage } from './network';

/** What the control API drives: the simulator's own methods (it implements this). */
export interface SimulatorControls {
  readonly sent: readonly SentMessage[];
  readonly connectedStreams: number;
  inject(event: unknown): void;
  phoneSends(message: PhoneMessage): unknown;
  phoneReacts(reaction: PhoneReaction): unknown;
  dropStreams(): void;
  stallStreams(stalled?: boolean): void;
  halfOpenStreams(): void;
  refuseConnections(ms: number): void;
  rateLimitNextSends(
    count: number,
    options?: { retryAfterSeconds?: number; proofRequired?: boolean },
  ): void;
  limitSendRate(perMinute: number, burst?: number): void;
  delayResponses(ms: number): void;
  reset(): void;
}

/** `/control/*`: the simulator's own methods over HTTP, for driving it from outside the process. */
export class ControlApi implements Api {
  constructor(private readonly sim: SimulatorControls) {}

  handle(req: IncomingMessage, path: string, body: string | undefined, res: ServerResponse) {
    if (!path.startsWith('/control/')) return false;
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    switch (`${req.method ?? 'GET'} ${path}`) {
      case 'GET /control/sent':
        json(res, 200, this.sim.sent);
        break;
      case 'POST /control/inject':
        this.sim.inject(input.event ?? input);
        json(res, 200, { ok: true });
        break;
      case 'POST /control/phone':
        json(res, 200, this.sim.phoneSends(input as unknown as PhoneMessage));
        break;
      case 'POST /control/flood':
        this.flood(input as unknown as PhoneMessage & { count: number });
        json(res, 200, { ok: true });
        break;
      case 'GET /control/streams':
        json(res, 200, { connected: this.sim.connectedStreams });
        break;
      case 'POST /control/react':
        json(res, 200, this.sim.phoneReacts(input as unknown as PhoneReaction));
        break;
      case 'POST /control/faults':
        this.applyFaults(input);
        json(res, 200, { ok: true });
        break;
      case 'POST /control/reset':
        this.sim.reset();
        json(res, 200, { ok: true });
        break;
      default:
        json(res, 404, { error: 'unknown control call' });
    }
    return true;
  }

  /** `count` messages from one sender at once, numbered `text 1` … `text count`. */
  private flood(input: PhoneMessage & { count: number }): void {
    for (let i = 1; i <= input.count; i++)
      this.sim.phoneSends({ ...input, text: `${input.text} ${i}` });
  }

  private applyFaults(input: Record<string, unknown>): void {
    if (input.drop) this.sim.dropStreams();
    if (typeof input.stall === 'boolean') this.sim.stallStreams(input.stall);
    if (input.halfOpen) this.sim.halfOpenStreams();
    if (typeof input.refuseMs === 'number') this.sim.refuseConnections(input.refuseMs);
    if (typeof input.rateLimitNext === 'number') {
      this.sim.rateLimitNextSends(input.rateLimitNext, {
        retryAfterSeconds: input.retryAfterSeconds as number | undefined,
        proofRequired: input.proofRequired === true,
      });
    }
    if (typeof input.perMinute === 'number') {
      this.sim.limitSendRate(
        input.perMinute,
        (input.burst as number | undefined) ?? input.perMinute,
      );
    }
    if (typeof input.delayMs === 'number') this.sim.delayResponses(input.delayMs);
  }
}

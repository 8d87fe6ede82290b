import { Clock } from '../../../common/clock';
import { SignalTransportError } from '../signal-transport.port';

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/**
 * One HTTP request with a JSON body and a deadline kept on the injected clock (signal-cli-rest-api
 * waits for signal-cli without any timeout of its own). Network failures become UNREACHABLE.
 */
export async function requestJson(
  clock: Clock,
  method: string,
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<JsonAnswer> {
  const controller = new AbortController();
  const deadline = clock.schedule(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    const why = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describe(error);
    throw new SignalTransportError('UNREACHABLE', `${method} ${url}: ${why}`, why);
  } finally {
    deadline.cancel();
  }
}

/** The most telling part of a fetch or socket error (`ECONNREFUSED` rather than "fetch failed"). */
export function describe(error: unknown): string {
  // Duck-typed: under jest, fetch's errors come from another realm and fail `instanceof Error`.
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { cause, message } = error as {
      cause?: { code?: string; message?: string };
      message: unknown;
    };
    return cause?.code ?? cause?.message ?? String(message);
  }
  return String(error);
}

/** Capped exponential backoff: 1 s, 2 s, 4 s, … for attempts 1, 2, 3, …, never more than `capMs`. */
export function cappedBackoffMs(attempt: number, capMs: number, baseMs = 1000): number {
  return Math.min(baseMs * 2 ** (attempt - 1), capMs);
}

import { RecipientOutcome, RecipientStatus } from '../signal-transport.port';

const STATUS: Record<string, RecipientStatus> = {
  SUCCESS: 'sent',
  RATE_LIMIT_FAILURE: 'rate-limited',
  UNREGISTERED_FAILURE: 'unregistered',
  IDENTITY_FAILURE: 'identity-failure',
  NETWORK_FAILURE: 'network-failure',
};

interface RawResult {
  recipientAddress?: { uuid?: string | null; number?: string | null } | null;
  uuid?: string | null;
  number?: string | null;
  type?: string;
  reason?: string;
  token?: string | null;
  retryAfterSeconds?: number | null;
}

/** signal-cli's per-recipient `results` (or the REST API's `errors.recipients`) as outcomes. */
export function toRecipientOutcomes(results: unknown): RecipientOutcome[] {
  if (!Array.isArray(results)) return [];
  return (results as RawResult[]).map((r) => {
    const address = r.recipientAddress ?? r;
    const outcome: RecipientOutcome = {
      address: address.number ?? address.uuid ?? null,
      status: STATUS[r.type ?? r.reason ?? ''] ?? 'failed',
    };
    if (typeof r.retryAfterSeconds === 'number') outcome.retryAfterSeconds = r.retryAfterSeconds;
    if (r.token) outcome.challengeToken = r.token;
    return outcome;
  });
}

/** Signal timestamps arrive as numbers from signal-cli and as strings from the REST API. */
export function toTimestamp(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

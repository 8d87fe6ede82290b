const E164 = /^\+\d{7,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Masks a phone number, ACI UUID, group id or other identifier for logs, keeping just enough
 * to tell two apart: `+15550100101` → `+1555…0101`, a UUID → `3f2a…9c1e`.
 * Short or unrecognised values keep at most their first two characters.
 */
export function maskIdentifier(value: string | null | undefined): string {
  if (!value) return '';
  if (E164.test(value)) return `${value.slice(0, 5)}…${value.slice(-4)}`;
  if (UUID.test(value)) return `${value.slice(0, 4)}…${value.slice(-4)}`;
  if (value.length >= 12) return `${value.slice(0, 4)}…${value.slice(-4)}`;
  return `${value.slice(0, 2)}…`;
}

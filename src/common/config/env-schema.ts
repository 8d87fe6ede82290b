import { validateCronExpression } from 'cron';
import { z } from 'zod';

/**
 * Building blocks for validating an environment with zod: every problem becomes one plain line
 * naming the variable. Used by the daemon's configuration and by the Signal simulator's.
 */

/** Thrown when the environment does not describe a runnable daemon; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const E164 = /^\+[1-9]\d{6,14}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const required = (what: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? 'is required' : `must be ${what}`,
});

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (issue) =>
      `must be one of ${values.map((v) => `"${v}"`).join(', ')} (got "${String(issue.input)}")`,
  });

export const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: (issue) => `must be a whole number (got "${String(issue.input)}")` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

/** A positive amount of money, in US dollars (`2.50`). */
export const dollars = z
  .string()
  .regex(/^\d+(\.\d{1,2})?$/, {
    error: (issue) => `must be an amount in US dollars like 2.50 (got "${String(issue.input)}")`,
  })
  .transform(Number)
  .pipe(z.number().positive({ error: 'must be more than 0' }));

export const list = z.string(required('a comma-separated list')).transform((raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

export const httpUrl = z.string().refine(
  (raw) => {
    try {
      const url = new URL(raw);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: (issue) => `must be an http:// or https:// URL (got "${String(issue.input)}")` },
);

export const phoneNumber = z.string(required('a phone number')).regex(E164, {
  error: (issue) =>
    `must be a phone number in international format like +15550100000 (got "${String(issue.input)}")`,
});

/** A cron expression (five fields, or six with seconds first), as `cron` reads it. */
export const cronExpression = z.string().superRefine((raw, ctx) => {
  const { valid, error } = validateCronExpression(raw);
  if (valid) return;
  const why = error ? `: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}` : '';
  ctx.addIssue({
    code: 'custom',
    message: `must be a cron expression (minute hour day month weekday) like "0 3 * * *" (got "${raw}"${why})`,
  });
});

export const hostName = z
  .string()
  .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name or IP address' });

/**
 * Parses the named variables of `env` with `schema`. Empty values count as unset. Throws
 * `ConfigError` naming every problem at once.
 */
export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  names: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): z.output<S> {
  const input: Record<string, string> = {};
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) input[name] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return parsed.data;
}

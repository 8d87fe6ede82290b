import { z } from 'zod';

/** Where `npm run sim` listens and which account it plays Signal for. */
export interface SimConfig {
  account: string;
  host: string;
  port: number;
}

/** Thrown when the environment does not describe a runnable simulator; lists every problem. */
export class SimConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SimConfigError';
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;

const schema = z.object({
  SIM_ACCOUNT: z
    .string()
    .regex(E164, {
      error: (issue) =>
        `must be a phone number in international format like +15550100000 (got "${String(issue.input)}")`,
    })
    .default('+15550100000'),
  SIM_PORT: z
    .string()
    .regex(/^\d+$/, { error: (issue) => `must be a whole number (got "${String(issue.input)}")` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(0, { error: 'must be at least 0' })
        .max(65_535, { error: 'must be at most 65535' }),
    )
    .default(8080),
  SIM_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name or IP address' })
    .default('127.0.0.1'),
});

/**
 * Validates the simulator's environment. Empty values count as unset. Throws `SimConfigError`
 * naming every problem at once.
 */
export function loadSimConfig(env: Readonly<Record<string, string | undefined>>): SimConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name]?.trim();
    if (value) input[name] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new SimConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return { account: e.SIM_ACCOUNT, host: e.SIM_HOST, port: e.SIM_PORT };
}

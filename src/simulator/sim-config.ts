import { z } from 'zod';
import {
  ConfigError,
  phoneNumber,
  hostName,
  integer,
  parseEnvironment,
} from '../common/config/env-schema';

/** Where `npm run sim` listens and which account it plays Signal for. */
export interface SimConfig {
  account: string;
  host: string;
  port: number;
}

/** The simulator's configuration errors are the daemon's kind: every problem, one line each. */
export { ConfigError as SimConfigError };

const schema = z.object({
  SIM_ACCOUNT: phoneNumber.default('+15550100000'),
  SIM_PORT: integer(0, 65_535).default(8080),
  SIM_HOST: hostName.default('127.0.0.1'),
});

/**
 * Validates the simulator's environment. Empty values count as unset. Throws `SimConfigError`
 * naming every problem at once.
 */
export function loadSimConfig(env: Readonly<Record<string, string | undefined>>): SimConfig {
  const e = parseEnvironment(schema, Object.keys(schema.shape), env);
  return { account: e.SIM_ACCOUNT, host: e.SIM_HOST, port: e.SIM_PORT };
}

import { z } from 'zod';
import {
  ConfigError,
  hostName,
  integer,
  oneOf,
  parseEnvironment,
} from '../common/config/env-schema';
import { ScriptedModelServer, ScriptedReply } from './scripted-model-server';

/**
 * `node dist/src/model-sim/main.js`: the scripted model server alone, in its own process, for
 * the demo and the process-level chaos tests. MODEL_PORT (default 0: a free port), MODEL_HOST
 * (default 127.0.0.1), MODEL_ECHO=1 (answer every prompt by repeating it). Prints its URL on the
 * first line; `/control/*` scripts it.
 */
async function main(): Promise<void> {
  const config = configOrExit();
  const server = new ScriptedModelServer();
  if (config.MODEL_ECHO) server.always(echo);
  const url = await server.start(config.MODEL_PORT, config.MODEL_HOST);
  process.stdout.write(`Scripted model server on ${url}\n`);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const schema = z.object({
  MODEL_PORT: integer(0, 65_535).default(0),
  MODEL_HOST: hostName.default('127.0.0.1'),
  MODEL_ECHO: oneOf(['0', '1'])
    .default('0')
    .transform((value) => value === '1'),
});

/** A bad environment is a typo, not a crash: one line per problem, no stack. */
function configOrExit(): z.output<typeof schema> {
  try {
    return parseEnvironment(schema, Object.keys(schema.shape), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** The interactive demo's model: no script, it says what it was asked. */
function echo(request: Record<string, unknown>): ScriptedReply {
  const messages = (request.messages ?? []) as { role: string; content: unknown }[];
  const last = messages.filter((m) => m.role === 'user').at(-1)?.content;
  const texts =
    typeof last === 'string'
      ? [last]
      : ((last ?? []) as { text?: string }[]).map((b) => b.text ?? '');
  const asked = texts
    .filter((t) => t && !t.startsWith('<'))
    .join(' ')
    .trim();
  return {
    text:
      `This is the demo's scripted model, not Claude: it only repeats what it got.\n` +
      `You asked: ${asked || '(nothing I could read)'}`,
  };
}

void main();

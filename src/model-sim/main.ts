import { ScriptedModelServer, ScriptedReply } from './scripted-model-server';

/**
 * `node dist/src/model-sim/main.js`: the scripted model server alone, in its own process, for
 * the demo and the process-level chaos tests. MODEL_PORT (default 0: a free port), MODEL_HOST
 * (default 127.0.0.1), MODEL_ECHO=1 (answer every prompt by repeating it). Prints its URL on the first line; `/control/*` scripts it.
 */
async function main(): Promise<void> {
  const server = new ScriptedModelServer();
  const port = Number(process.env.MODEL_PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`MODEL_PORT: must be a port number (got "${process.env.MODEL_PORT}")\n`);
    process.exit(1);
  }
  if (process.env.MODEL_ECHO === '1') server.always(echo);
  const url = await server.start(port, process.env.MODEL_HOST ?? '127.0.0.1');
  process.stdout.write(`Scripted model server on ${url}\n`);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
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

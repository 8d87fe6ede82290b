import { SignalSimulator } from './signal-simulator';
import { SimConfig, SimConfigError, loadSimConfig } from './sim-config';

/**
 * `npm run sim`: the Signal simulator alone, for running the daemon against it by hand.
 * SIM_ACCOUNT (default +15550100000), SIM_PORT (default 8080), SIM_HOST (default 127.0.0.1).
 */
async function main(): Promise<void> {
  const simulator = new SignalSimulator(configOrExit());
  const url = await simulator.start();
  process.stdout.write(
    `Signal simulator for ${simulator.account} on ${url}\n` +
      `  signal-cli API: ${url}/api/v1/rpc, ${url}/api/v1/events\n` +
      `  REST API:       ${url}/v2/send, ws ${url.replace('http', 'ws')}/v1/receive/${simulator.account}\n` +
      `  play the phone: curl -XPOST ${url}/control/phone -d '{"from":{"number":"+15550100001","uuid":"a11ce000-0000-4000-8000-000000000001"},"text":"/help"}'\n` +
      `  what the bot sent: curl ${url}/control/sent\n`,
  );
  const stop = (): void => void simulator.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A bad environment is the user's typo, not a crash: one line per problem, no stack. */
function configOrExit(): SimConfig {
  try {
    return loadSimConfig(process.env);
  } catch (error) {
    if (!(error instanceof SimConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

void main();

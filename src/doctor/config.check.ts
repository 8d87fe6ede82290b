import { AppConfig, ConfigEnvironment, ConfigError, loadConfig } from '../common/config';
import { CheckResult, fail, pass } from './check';

const TITLE = 'Configuration';

/** The daemon's own loader on the daemon's own environment: valid, or every problem listed. */
export function checkConfig(
  env: ConfigEnvironment,
  source: string,
): { result: CheckResult; config?: AppConfig } {
  try {
    return { result: pass(TITLE, `valid (${source})`), config: loadConfig(env) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const count = error.problems.length;
    return {
      result: fail(
        TITLE,
        [`${count} problem${count === 1 ? '' : 's'} (${source})`, ...error.problems].join('\n'),
        'correct these in .env or the environment, then run npm run doctor again',
      ),
    };
  }
}

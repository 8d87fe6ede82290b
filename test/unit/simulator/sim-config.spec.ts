import { loadSimConfig, SimConfigError } from '../../../src/simulator/sim-config';

function problems(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadSimConfig(env);
  } catch (error) {
    if (error instanceof SimConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a SimConfigError');
}

describe('loadSimConfig', () => {
  it('defaults to the test account on loopback port 8080', () => {
    expect(loadSimConfig({})).toEqual({ account: '+15550100000', host: '127.0.0.1', port: 8080 });
  });

  it('reads every variable, trimmed', () => {
    expect(
      loadSimConfig({ SIM_ACCOUNT: ' +15550100042 ', SIM_PORT: '0', SIM_HOST: 'sim.local' }),
    ).toEqual({ account: '+15550100042', host: 'sim.local', port: 0 });
    expect(loadSimConfig({ SIM_PORT: '65535', SIM_HOST: '::1' })).toMatchObject({
      port: 65535,
      host: '::1',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadSimConfig({ SIM_ACCOUNT: '', SIM_PORT: '  ', SIM_HOST: '' })).toEqual({
      account: '+15550100000',
      host: '127.0.0.1',
      port: 8080,
    });
  });

  it.each([
    [
      'SIM_ACCOUNT',
      '15550100000',
      'SIM_ACCOUNT: must be a phone number in international format like +15550100000 (got "15550100000")',
    ],
    [
      'SIM_ACCOUNT',
      '+0555',
      'SIM_ACCOUNT: must be a phone number in international format like +15550100000 (got "+0555")',
    ],
    ['SIM_PORT', 'eighty', 'SIM_PORT: must be a whole number (got "eighty")'],
    ['SIM_PORT', '-1', 'SIM_PORT: must be a whole number (got "-1")'],
    ['SIM_PORT', '80.5', 'SIM_PORT: must be a whole number (got "80.5")'],
    ['SIM_PORT', '65536', 'SIM_PORT: must be at most 65535'],
    ['SIM_HOST', 'local host', 'SIM_HOST: must be a host name or IP address'],
    ['SIM_HOST', 'http://127.0.0.1', 'SIM_HOST: must be a host name or IP address'],
  ])('rejects %s=%j', (name, value, problem) => {
    expect(problems({ [name]: value })).toEqual([problem]);
  });

  it('lists every problem at once, one plain line each under one header', () => {
    let error: unknown;
    try {
      loadSimConfig({ SIM_ACCOUNT: 'bot', SIM_PORT: '99999', SIM_HOST: 'a b' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(SimConfigError);
    expect((error as SimConfigError).message).toBe(
      [
        'Invalid configuration:',
        '  - SIM_ACCOUNT: must be a phone number in international format like +15550100000 (got "bot")',
        '  - SIM_PORT: must be at most 65535',
        '  - SIM_HOST: must be a host name or IP address',
      ].join('\n'),
    );
  });
});

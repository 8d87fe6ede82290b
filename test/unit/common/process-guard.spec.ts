import { LoggerService } from '@nestjs/common';
import { Registry } from 'prom-client';
import { ProcessGuard } from '../../../src/common/metrics';

describe('ProcessGuard: what nothing caught', () => {
  const logger: LoggerService = { log: jest.fn(), error: jest.fn(), warn: jest.fn() };

  async function counts(registry: Registry): Promise<Record<string, number>> {
    const metric = await registry.getSingleMetric('bridge_uncaught_failures_total')?.get();
    return Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.kind, v.value]));
  }

  it('a rejection is logged and counted, and the daemon goes on', async () => {
    const registry = new Registry();
    const guard = new ProcessGuard(registry);
    guard.rejected(logger, new Error('lost'));
    await expect(counts(registry)).resolves.toEqual({ rejection: 1 });
  });

  it('a socket that failed goes on; any other exception exits 1 for a restart', async () => {
    const registry = new Registry();
    const guard = new ProcessGuard(registry);
    const exit = jest.fn();
    guard.thrown(logger, Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), exit);
    expect(exit).not.toHaveBeenCalled();
    guard.thrown(logger, new TypeError('x is undefined'), exit);
    expect(exit.mock.calls).toEqual([[1]]);
    await expect(counts(registry)).resolves.toEqual({ exception: 2 });
  });
});

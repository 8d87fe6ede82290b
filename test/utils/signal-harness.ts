import { Registry } from 'prom-client';
import { FakeClock } from '../../src/common/clock';
import { ConnectionSupervisor } from '../../src/modules/resilience';
import { SignalSimulator, SimulatedUser } from '../../src/simulator/signal-simulator';
import { createApp, CreateAppOptions, TestApp } from './create-app';
import { BOT_ACCOUNT, OWNER_NUMBER } from './test-config';
import { waitFor } from './wait-for';

export const OWNER: SimulatedUser = {
  number: OWNER_NUMBER,
  uuid: 'a11ce000-0000-4000-8000-000000000001',
  name: 'Owner',
};
export const STRANGER: SimulatedUser = {
  number: '+15550100666',
  uuid: 'bad00000-0000-4000-8000-000000000666',
  name: 'Stranger',
};
export const GROUP_ID = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=';

export interface SignalTestApp extends TestApp {
  sim: SignalSimulator;
  /** Current value of `bridge_inbound_events_total{outcome}`. */
  inbound(outcome: string): Promise<number>;
}

/** The app wired to an in-process simulator on loopback, both on one fake clock, connected. */
export async function createSignalApp(
  transport: 'signal-cli' | 'rest',
  options: CreateAppOptions & { restResponseShape?: 'object' | 'array' } = {},
): Promise<SignalTestApp> {
  const clock = options.clock ?? new FakeClock();
  const sim = new SignalSimulator({
    account: BOT_ACCOUNT,
    clock,
    restResponseShape: options.restResponseShape,
  });
  const url = await sim.start();
  const t = await createApp({
    ...options,
    clock,
    env: { SIGNAL_TRANSPORT: transport, SIGNAL_URL: url, ...options.env },
  });
  await waitFor(() => t.app.get(ConnectionSupervisor).isConnected, 'the event stream to open');
  const registry = t.app.get(Registry);
  return {
    ...t,
    sim,
    inbound: async (outcome) => {
      const metric = await registry.getSingleMetric('bridge_inbound_events_total')?.get();
      return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    },
    close: async () => {
      await t.close();
      await sim.stop();
    },
  };
}

import { BootSequence } from '../../src/common/boot';
import { createApp } from '../utils/create-app';

describe('boot sequence', () => {
  it('runs recovery (sessions, approvals, orphaned agents), the offer of unhandled messages, the outbox, intake, the link and the maintenance schedule, in that order', async () => {
    const t = await createApp({ listen: false });
    try {
      expect(t.app.get(BootSequence).stepsRun).toEqual([
        'Recovery: RecoveryService.recover',
        'Recovery: ApprovalsService.expireLeftovers',
        'Recovery: OrphanReaper.reap',
        'OfferUnhandled: UnhandledOfferService.offer',
        'StartOutbox: OutboxDispatcher.start',
        'StartIntake: SignalIntake.start',
        'Connect: ConnectionSupervisor.start',
        'StartMaintenance: MaintenanceSchedule.start',
      ]);
    } finally {
      await t.close();
    }
  });
});

import { SetMetadata } from '@nestjs/common';

/**
 * The boot order, written in one place. Migrations are not a phase: they run when the database
 * opens, before any provider exists. Each module marks its boot work with `@OnBoot(phase)`;
 * steps of one phase run in discovery order, and each step finishes before the next starts.
 */
export enum BootPhase {
  /** Crash recovery: sessions left ACTIVE by a dead daemon are paused. */
  Recovery = 1,
  /** Messages an earlier run recorded but never handled are offered for /retry. */
  OfferUnhandled = 2,
  /** The outbox dispatcher starts (it sends only once the link is up). */
  StartOutbox = 3,
  /** Inbound events are accepted from now on. */
  StartIntake = 4,
  /** The Signal link opens. */
  Connect = 5,
  /** Scheduled maintenance starts: the nightly backup, the inbound purge, WAL checkpoints. */
  StartMaintenance = 6,
}

export const BOOT_STEP = 'bridge:boot-step';

/** Runs the method at boot, in `phase`; a step that throws stops the boot. */
export const OnBoot = (phase: BootPhase): MethodDecorator => SetMetadata(BOOT_STEP, phase);

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { MethodDiscovery } from '../discovery';
import { BOOT_STEP, BootPhase } from './boot-phase';

/** Runs every `@OnBoot` step in `BootPhase` order, once every module is initialised. */
@Injectable()
export class BootSequence implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootSequence.name);
  private done: string[] = [];

  constructor(private readonly discovery: MethodDiscovery) {}

  async onApplicationBootstrap(): Promise<void> {
    const steps = this.discovery.find<BootPhase>(BOOT_STEP).sort((a, b) => a.metadata - b.metadata);
    for (const step of steps) {
      await step.call();
      this.done.push(`${BootPhase[step.metadata]}: ${step.owner}`);
    }
    this.logger.debug({ msg: 'boot sequence done', steps: this.done });
  }

  /** The steps that ran, in order (`Phase: Class.method`). */
  get stepsRun(): readonly string[] {
    return this.done;
  }
}

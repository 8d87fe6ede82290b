import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../clock';
import { MethodDiscovery } from '../discovery';
import { BOOT_STEP, BootPhase } from './boot-phase';

/** Runs every `@OnBoot` step in `BootPhase` order, once every module is initialised. */
@Injectable()
export class BootSequence implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootSequence.name);
  private done: string[] = [];

  constructor(
    private readonly discovery: MethodDiscovery,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const steps = this.discovery.find<BootPhase>(BOOT_STEP).sort((a, b) => a.metadata - b.metadata);
    const took: Record<string, number> = {};
    for (const step of steps) {
      const started = this.clock.nowMs();
      await step.call();
      const name = `${BootPhase[step.metadata]}: ${step.owner}`;
      this.done.push(name);
      took[name] = this.clock.nowMs() - started;
    }
    // How long each step took (ms): where a slow start-up went.
    this.logger.debug({ msg: 'boot sequence done', steps: took });
  }

  /** The steps that ran, in order (`Phase: Class.method`). */
  get stepsRun(): readonly string[] {
    return this.done;
  }
}

import { SetMetadata } from '@nestjs/common';

export const READINESS_CHECK = 'bridge:readiness-check';

/**
 * Marks a method `() => HealthIndicatorResult | Promise<…>` as one part of readiness, reported
 * under `key`. The health module collects them without importing the modules that declare them.
 */
export const ReadinessCheck = (key: string): MethodDecorator => SetMetadata(READINESS_CHECK, key);

export * from './rate-limit.health';
export * from './rate-limit.module';
export * from './rate-limiter';

export * from './metrics.module';
export * from './process-guard.service';

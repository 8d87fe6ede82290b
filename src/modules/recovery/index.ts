export * from './recovery-run.entity';
export * from './recovery.module';
export * from './recovery.service';

export * from './boot-phase';
export * from './boot-sequence.service';
export * from './boot.module';

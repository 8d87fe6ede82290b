export * from './ids.module';
export * from './time-ordered-id';

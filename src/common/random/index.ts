export * from './random';
export * from './random.module';

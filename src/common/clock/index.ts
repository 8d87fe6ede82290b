export * from './clock';
export * from './clock.module';
export * from './fake-clock';
export * from './system-clock';

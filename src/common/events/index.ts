export * from './app-events';
export * from './event-bus';
export * from './events.module';

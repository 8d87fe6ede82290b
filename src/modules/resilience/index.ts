export * from './outbox-dispatcher';
export * from './outbox-message.entity';
export * from './outbox.health';
export * from './outbox.service';
export * from './resilience.module';
export * from './split-message';

export * from './outbox-message.entity';
export * from './outbox.module';
export * from './outbox.service';
export * from './split-message';
export * from './typing-indicator.service';

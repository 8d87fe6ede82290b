export * from './conversation';
export * from './envelope-parser';
export * from './inbound-message';
export * from './inbound-pipeline';
export * from './inbound-record.repository';
export * from './signal-intake';
export * from './signal-transport';
export * from './signal.module';

export * from './conversation';
export * from './inbound-message';

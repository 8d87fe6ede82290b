export * from './envelope-parser';
export * from './inbound-message';
export * from './signal-intake.service';
export * from './signal-transport.port';
export * from './signal.module';
export * from './text-style';

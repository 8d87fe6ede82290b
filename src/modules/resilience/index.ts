export * from './connection-state-machine';
export * from './connection-supervisor.service';
export * from './resilience.module';

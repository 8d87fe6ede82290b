export * from './agent-environment';
export * from './agent-runner.port';
export * from './agent.module';
export * from './turn.service';

export * from './activity';
export * from './activity-log.service';
export * from './project-paths.service';
export * from './session-status';
export * from './session.entity';
export * from './session.errors';
export * from './sessions.module';
export * from './sessions.service';

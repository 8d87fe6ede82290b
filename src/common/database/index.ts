export * from './data-source-options';
export * from './database.health';
export * from './database.module';
export * from './sqlite';

export * from './chat-answers';
export * from './chat-command.decorator';
export * from './chat-replies';
export * from './command-dispatcher.service';
export * from './command-parser';
export * from './command-registry.service';
export * from './commands.module';

import { Module } from '@nestjs/common';
import { CommandDispatcher } from './command-dispatcher.service';
import { CommandRegistry } from './command-registry.service';
import { CoreCommands } from './core.commands';

/**
 * The chat edge: the command registry, parsing, dispatch, /help and /status, and the answers to
 * failures. It imports no feature module: features declare commands with `@ChatCommand`, and
 * answers go out through the `ChatReplies` port, which the (global) outbox module provides.
 */
@Module({
  providers: [CommandRegistry, CommandDispatcher, CoreCommands],
  exports: [CommandDispatcher, CommandRegistry],
})
export class CommandsModule {}

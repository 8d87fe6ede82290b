import { Injectable } from '@nestjs/common';
import { InboundText } from '../signal';

/** What plain text (not a command) turns into. The agent module will provide the real one. */
export abstract class PromptRunner {
  /** Handles a prompt and returns the reply to send, if any. */
  abstract run(message: InboundText): Promise<string | undefined>;
}

/** Until agent turns exist: say plainly that prompts cannot run yet. */
@Injectable()
export class NoSessionPromptRunner extends PromptRunner {
  async run(): Promise<string> {
    return (
      'There is no session in this conversation, so I cannot run that prompt. ' +
      'Starting Claude Code sessions from Signal is not available in this version yet. ' +
      'Send /help to see what works.'
    );
  }
}

import { Injectable, Module } from '@nestjs/common';
import {
  ChatCommand,
  ChatContext,
  ChatFallback,
  CommandRegistry,
} from '../../src/modules/commands';
import { createApp } from '../utils/create-app';
import { HELP_TEXT } from '../utils/help-text';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

/** A feature module added beside the app: nothing else changes for its command to work. */
@Injectable()
class Weather {
  @ChatCommand({
    name: '/weather',
    args: '<city>',
    summary: 'the weather somewhere',
    usage: 'Answers with a made-up forecast for the city.',
  })
  weather({ args }: ChatContext): string {
    return `Sunny in ${args || 'nowhere'}.`;
  }
}

@Module({ providers: [Weather] })
class WeatherModule {}

@Injectable()
class SecondHelp {
  @ChatCommand({ name: '/help', summary: 'a second /help' })
  help(): string {
    return 'mine';
  }
}

@Injectable()
class PromptsA {
  @ChatFallback()
  run(): string {
    return 'a';
  }
}

@Injectable()
class PromptsB {
  @ChatFallback()
  run(): string {
    return 'b';
  }
}

@Injectable()
class BadName {
  @ChatCommand({ name: 'weather', summary: 'no slash' })
  run(): string {
    return 'x';
  }
}

describe('command registry', () => {
  let t: SignalTestApp;
  afterEach(() => t?.close());

  it('a new module’s command works, is listed by /help and explained by /help <name>', async () => {
    t = await createSignalApp('signal-cli', { imports: [WeatherModule] });
    t.sim.phoneSends({ from: OWNER, text: '/weather Lisbon' });
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    t.sim.phoneSends({ from: OWNER, text: '/help weather' });
    await waitFor(() => t.sim.sent.length === 3, 'three answers');
    const help = HELP_TEXT.split('\n');
    help.splice(
      help.indexOf('Anything else is a prompt for this conversation’s session.'),
      0,
      '/weather <city>: the weather somewhere',
    );
    expect(t.sim.sent.map((s) => s.message)).toEqual([
      'Sunny in Lisbon.',
      help.join('\n'),
      '/weather <city>\nthe weather somewhere\n\nAnswers with a made-up forecast for the city.',
    ]);
  });

  it('lists the commands of the daemon’s own modules, each with its owner', async () => {
    const app = await createApp({ listen: false });
    try {
      const owners = app.app
        .get(CommandRegistry)
        .all()
        .map((c) => [c.name, c.owner, c.priority]);
      expect(owners).toEqual([
        ['/always', 'ApprovalCommands.always', true],
        ['/approve', 'ApprovalCommands.approve', true],
        ['/backup', 'BackupCommand.backup', false],
        ['/captcha', 'CaptchaCommand.captcha', false],
        ['/commands', 'ClaudeCatalogCommands.list', false],
        ['/commit', 'ResultCommands.commit', false],
        ['/diff', 'ResultCommands.diff', false],
        ['/end', 'SessionCommands.end', false],
        ['/full', 'ResultCommands.full', false],
        ['/help', 'CoreCommands.help', false],
        ['/mode', 'SessionCommands.mode', false],
        ['/new', 'SessionCommands.create', false],
        ['/notify', 'ConversationSettingsCommands.notify', false],
        ['/pause', 'SessionCommands.pause', false],
        ['/projects', 'SessionCommands.projects', false],
        ['/reject', 'ApprovalCommands.reject', true],
        ['/resume', 'SessionCommands.resume', false],
        ['/retry', 'RetryCommand.retry', false],
        ['/run', 'ClaudeCatalogCommands.run', false],
        ['/sessions', 'SessionCommands.list', false],
        ['/status', 'CoreCommands.status', false],
        ['/stop', 'SessionCommands.stop', true],
        ['/usage', 'UsageCommands.show', false],
        ['/use', 'SessionCommands.use', false],
        ['/verbosity', 'ConversationSettingsCommands.verbosity', false],
      ]);
    } finally {
      await app.close();
    }
  });

  it.each([
    [[SecondHelp], '/help is declared twice: CoreCommands.help and SecondHelp.help'],
    [[PromptsA, PromptsB], 'several handlers for plain text: '],
    [[BadName], 'BadName.run: "weather" is not a command name like /status'],
  ])('stops the boot when modules disagree (%#)', async (providers, problem) => {
    @Module({ providers })
    class Conflicting {}
    await expect(createApp({ listen: false, imports: [Conflicting] })).rejects.toThrow(problem);
  });
});

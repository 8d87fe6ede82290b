import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext, StatusPart } from '../commands';
import {
  MUTABLE_URGENCIES,
  MutableUrgency,
  Verbosity,
  VERBOSITIES,
} from './conversation-settings.entity';
import { ConversationSettings, ConversationSettingsService } from './conversation-settings.service';

/** The names the phone uses for each kind of message, and what each covers. */
const KINDS: Record<string, MutableUrgency | 'urgent'> = {
  urgent: 'urgent',
  approvals: 'urgent',
  errors: 'urgent',
  important: 'important',
  results: 'important',
  informational: 'informational',
  progress: 'informational',
};

/** `/verbosity` and `/notify`: how much of a turn this conversation sees, and what buzzes. */
@Injectable()
export class ConversationSettingsCommands {
  constructor(private readonly settings: ConversationSettingsService) {}

  @ChatCommand({
    name: '/verbosity',
    args: '[quiet|normal|verbose]',
    summary: 'how much of a running turn this conversation sees',
    usage:
      'quiet: approvals, results and errors only. normal (the default): one progress message per turn, edited in place as tools run. verbose: a message per tool call. Kept across restarts.',
  })
  verbosity({ args, conversationKey }: ChatContext): string {
    const wanted = args.trim().toLowerCase();
    if (!wanted) return `Verbosity here: ${this.settings.get(conversationKey).verbosity}.`;
    if (!VERBOSITIES.includes(wanted as Verbosity)) {
      return 'Verbosity is quiet, normal or verbose. /help verbosity explains them.';
    }
    this.settings.setVerbosity(conversationKey, wanted as Verbosity);
    return `Verbosity here: ${wanted}.`;
  }

  @ChatCommand({
    name: '/notify',
    args: '[results|progress on|off]',
    summary: 'which kinds of message make the phone buzz here',
    usage:
      'Urgent messages (approvals, errors) always notify. "/notify results off" delivers results and answers without a notification; "/notify progress on" makes progress buzz too (it is quiet by default). Nothing is dropped either way. Needs signal-cli: through the REST API every message notifies.',
  })
  notify({ args, conversationKey }: ChatContext): string {
    const [kindWord = '', state = ''] = args.trim().toLowerCase().split(/\s+/);
    if (!kindWord) return describe(this.settings.get(conversationKey));
    const kind = KINDS[kindWord];
    if (!kind || !['on', 'off'].includes(state)) {
      return 'Say /notify results on|off or /notify progress on|off.';
    }
    if (kind === 'urgent') {
      return 'Urgent messages (approvals, errors) always notify: they need you.';
    }
    return describe(this.settings.setNotify(conversationKey, kind, state === 'on'));
  }

  @StatusPart(55)
  status({ conversationKey }: ChatContext): string {
    const settings = this.settings.get(conversationKey);
    return `Here: verbosity ${settings.verbosity}; ${describe(settings).toLowerCase()}`;
  }
}

function describe(settings: ConversationSettings): string {
  const on = MUTABLE_URGENCIES.filter((k) => !settings.muted.includes(k)).map(name);
  const off = settings.muted.map(name);
  return (
    `Notifications: approvals and errors${on.map((k) => `, ${k}`).join('')}` +
    (off.length ? `; quiet: ${off.join(', ')}.` : '.')
  );
}

function name(kind: MutableUrgency): string {
  return kind === 'important' ? 'results' : 'progress';
}

import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext } from '../commands';
import { OutboxService } from '../outbox';
import { Session, SessionsService } from '../sessions';
import { ProjectGit } from './project-git.service';
import { LastTurn } from './turn-end';

/** What the last turn produced: the answer again (`/full`), its changes (`/diff`), a commit. */
@Injectable()
export class ResultCommands {
  constructor(
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly git: ProjectGit,
  ) {}

  @ChatCommand({
    name: '/full',
    summary: 'the last answer here again, whole, as a file',
    usage: 'Sends the last answer of this conversation’s session as answer.md, however long it is.',
  })
  full({ conversation, conversationKey }: ChatContext): string | undefined {
    const session = this.sessions.current(conversationKey);
    const last = session?.context.lastResult;
    if (typeof last !== 'string') return 'No answer here yet.';
    this.outbox.enqueue({
      to: conversation,
      body: `The last answer, whole (${kilobytes(last)}): answer.md`,
      kind: 'reply',
      attachment: { filename: 'answer.md', contentType: 'text/markdown', data: Buffer.from(last) },
    });
    return undefined;
  }

  @ChatCommand({
    name: '/diff',
    summary: 'what the last turn changed, as a file',
    usage:
      'In a git repository: the git diff of the files the last turn wrote (new files whole), as changes.diff. Elsewhere: the list of those files.',
  })
  async diff({ conversation, conversationKey }: ChatContext): Promise<string | undefined> {
    const found = this.lastTurn(conversationKey);
    if (typeof found === 'string') return found;
    const { session, turn } = found;
    if (!(await this.git.isRepository(session.projectPath))) {
      return `The last turn wrote (not a git repository, so no diff):\n${turn.files.map((f) => `• ${f}`).join('\n')}`;
    }
    const diff = await this.git.diff(session.projectPath, turn.files);
    if (!diff) return 'The files the last turn wrote are unchanged now.';
    this.outbox.enqueue({
      to: conversation,
      body: `What the last turn changed (${turn.files.length} file${turn.files.length === 1 ? '' : 's'}: ${turn.files.join(', ')}): changes.diff`,
      kind: 'reply',
      attachment: { filename: 'changes.diff', contentType: 'text/x-diff', data: Buffer.from(diff) },
    });
    return undefined;
  }

  @ChatCommand({
    name: '/commit',
    args: '[message]',
    summary: 'commit the files the last turn wrote',
    usage:
      'Commits exactly the files the last turn wrote (nothing else that is changed or staged), with your message or, by default, the turn’s prompt. Only in a git repository.',
  })
  async commit({ args, conversationKey }: ChatContext): Promise<string> {
    const found = this.lastTurn(conversationKey);
    if (typeof found === 'string') return found;
    const { session, turn } = found;
    if (!(await this.git.isRepository(session.projectPath))) {
      return 'This project is not a git repository: there is nothing to commit to.';
    }
    const message = args.trim() || defaultMessage(turn.prompt);
    const hash = await this.git.commit(session.projectPath, turn.files, message);
    const count = `${turn.files.length} file${turn.files.length === 1 ? '' : 's'}`;
    return `Committed ${hash}: ${message.split('\n')[0]} (${count}).`;
  }

  /** The session here and its last turn's changes, or why there are none. */
  private lastTurn(conversationKey: string): { session: Session; turn: LastTurn } | string {
    const session = this.sessions.current(conversationKey);
    if (!session) return 'No session here.';
    const turn = session.context.lastTurn as LastTurn | undefined;
    if (!turn) return 'No turn has run in this session yet.';
    if (turn.files.length === 0) return 'The last turn wrote no files.';
    return { session, turn };
  }
}

function kilobytes(text: string): string {
  return `${Math.max(1, Math.ceil(Buffer.byteLength(text) / 1024))} KB`;
}

/** The prompt's first line, shortened to a commit subject. */
function defaultMessage(prompt: string): string {
  const line = prompt.split('\n')[0].trim();
  return line.length > 72 ? `${line.slice(0, 71)}…` : line || 'Changes made from the phone';
}

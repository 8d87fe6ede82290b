import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock } from '../../common/clock';
import { Sqlite } from '../../common/database';
import { maskIdentifier } from '../../common/logging';
import { Conversation, conversationFromKey } from '../../common/conversations';
import { OutboxService, OutgoingMessage } from '../outbox';
import { PausedSession, projectName, SessionsService } from '../sessions';
import { RecoveryRunRepository } from './recovery-run.repository';

/** Why a boot stopped in recovery; the database was left exactly as it was. */
export class RecoveryFailedError extends Error {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`crash recovery failed, nothing was changed: ${reason}`, { cause });
    this.name = 'RecoveryFailedError';
  }
}

export interface RecoveryReport {
  recoveredAt: string;
  /** Sessions that were ACTIVE when the previous daemon died, now PAUSED. */
  sessions: PausedSession[];
}

/**
 * Boot-time crash recovery, the first boot step (after migrations, before anything takes
 * work): every ACTIVE session — whose agent died with the old daemon — becomes PAUSED with
 * `recoveredAt`, all in one transaction. Running it again finds nothing.
 */
@Injectable()
export class RecoveryService {
  private readonly logger = new Logger(RecoveryService.name);
  private readonly recovered: Counter;
  private report?: RecoveryReport;

  constructor(
    private readonly sqlite: Sqlite,
    private readonly sessions: SessionsService,
    private readonly runs: RecoveryRunRepository,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    registry: Registry,
  ) {
    this.recovered = new Counter({
      name: 'bridge_sessions_recovered_total',
      help: 'Sessions paused by boot-time crash recovery.',
      registers: [registry],
    });
  }

  /** The result of the boot's recovery, for the owner notice. */
  get lastReport(): RecoveryReport | undefined {
    return this.report;
  }

  /**
   * Each conversation hears once which of its sessions were paused, and how to go on: the
   * first few by project, the rest counted (10,000 paused sessions in one chat are one message).
   */
  private tellOwners(sessions: PausedSession[]): void {
    const byConversation = new Map<string, PausedSession[]>();
    for (const session of sessions) {
      const list = byConversation.get(session.conversationId);
      if (list) list.push(session);
      else byConversation.set(session.conversationId, [session]);
    }
    const notices: OutgoingMessage[] = [];
    for (const [key, paused] of byConversation) {
      let to: Conversation;
      try {
        to = conversationFromKey(key);
      } catch {
        continue; // not bound to a Signal conversation: nobody to tell
      }
      notices.push({ to, body: pausedNotice(paused), kind: 'notice' });
    }
    this.outbox.enqueueAll(notices);
  }

  /** The first boot step, before anything takes work. Throws `RecoveryFailedError`. */
  @OnBoot(BootPhase.Recovery)
  recover(): RecoveryReport {
    const recoveredAt = this.clock.nowIso();
    let sessions: PausedSession[];
    try {
      // Pausing and telling the owners are one transaction: a crash in between cannot leave
      // sessions paused that nobody was told about (and it is one write for 10,000 notices).
      sessions = this.sqlite.transaction(() => {
        const paused = this.sessions.pauseAllActive(recoveredAt);
        if (paused.length > 0)
          this.runs.insert(
            recoveredAt,
            paused.map((s) => s.id),
          );
        this.tellOwners(paused);
        return paused;
      });
    } catch (error) {
      throw new RecoveryFailedError(error);
    }
    this.recovered.inc(sessions.length);
    this.report = { recoveredAt, sessions };
    if (sessions.length > 0) {
      this.logger.warn({
        msg: 'recovered sessions left ACTIVE by the previous run',
        count: sessions.length,
        // A few, not thousands: the count says how many.
        conversations: [...new Set(sessions.map((s) => maskIdentifier(s.conversationId)))].slice(
          0,
          20,
        ),
      });
    } else {
      this.logger.log('no sessions to recover');
    }
    return this.report;
  }
}

/** How many paused sessions a notice names by project before it counts the rest. */
const NAMED = 3;

function pausedNotice(paused: PausedSession[]): string {
  if (paused.length === 1) {
    return `I restarted while your session in ${projectName(paused[0])} was active, so it is paused now. Send /resume to continue it.`;
  }
  const names = paused.slice(0, NAMED).map((s) => projectName(s));
  const more = paused.length - names.length;
  const listed =
    more > 0
      ? `${names.join(', ')} and ${more} more (/sessions lists them)`
      : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `I restarted while ${paused.length} of your sessions were active, so they are paused now: ${listed}. Send /resume to continue the newest, or /resume <id> for another.`;
}

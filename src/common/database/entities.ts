import { TurnUsage } from '../../modules/agent/turn-usage.entity';
import { Approval } from '../../modules/approvals/approval.entity';
import { OutboxMessage } from '../../modules/outbox/outbox-message.entity';
import { RecoveryRun } from '../../modules/recovery/recovery-run.entity';
import { InboundMessageEntity } from '../../modules/signal/inbound-message.entity';
import { ConversationSettingsEntity } from '../../modules/sessions/conversation-settings.entity';
import { SessionActivity } from '../../modules/sessions/session-activity.entity';
import { Session } from '../../modules/sessions/session.entity';

/** Every entity, listed explicitly so compiled, jest and CLI runs load the same set. */
export const ENTITIES = [
  Session,
  SessionActivity,
  RecoveryRun,
  InboundMessageEntity,
  OutboxMessage,
  Approval,
  ConversationSettingsEntity,
  TurnUsage,
];

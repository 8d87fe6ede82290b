import { InitialSchema1764338400000 } from './1764338400000-initial-schema';
import { SessionsAndRecovery1764338500000 } from './1764338500000-sessions-and-recovery';
import { InboundMessages1764338600000 } from './1764338600000-inbound-messages';
import { Outbox1764338700000 } from './1764338700000-outbox';
import { AgentAndApprovals1764338800000 } from './1764338800000-agent-and-approvals';
import { PhoneExperience1764338900000 } from './1764338900000-phone-experience';
import { ProjectBindings1764339000000 } from './1764339000000-project-bindings';
import { StylesAndAttachments1764339100000 } from './1764339100000-styles-and-attachments';
import { AgentPidIndex1764339200000 } from './1764339200000-agent-pid-index';
import { OutboxRetryingIndex1764339300000 } from './1764339300000-outbox-retrying-index';
import { ApprovalRiskAndRule1764339400000 } from './1764339400000-approval-risk-and-rule';

/** Every migration in order. Generate a new one with `npm run migration:generate`, then add it here. */
export const MIGRATIONS = [
  InitialSchema1764338400000,
  SessionsAndRecovery1764338500000,
  InboundMessages1764338600000,
  Outbox1764338700000,
  AgentAndApprovals1764338800000,
  PhoneExperience1764338900000,
  ProjectBindings1764339000000,
  StylesAndAttachments1764339100000,
  AgentPidIndex1764339200000,
  OutboxRetryingIndex1764339300000,
  ApprovalRiskAndRule1764339400000,
];

import type { InboundMessage } from '../../common/conversations';

export type {
  InboundAttachment,
  InboundMessage,
  InboundReaction,
  InboundText,
  Sender,
} from '../../common/conversations';

export type IgnoredReason =
  'typing' | 'receipt' | 'sync' | 'exception' | 'story' | 'call' | 'no-content' | 'other-account';

export type ParsedEvent =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; reason: IgnoredReason }
  | { kind: 'malformed'; problem: string };

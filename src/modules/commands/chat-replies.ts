import type { Conversation } from '../../common/conversations';

export interface ChatReply {
  to: Conversation;
  body: string;
  /** `reply` answers a message, `notice` says something unasked, `error` reports a failure. */
  kind: 'reply' | 'notice' | 'error';
}

/**
 * How commands answer: durably, through the outbox (which provides this port). Commands import
 * no feature module, so they depend on this abstraction instead.
 */
export abstract class ChatReplies {
  /** Persists the reply for sending; returns its outbox id. */
  abstract enqueue(reply: ChatReply): number;
}

import { Conversation } from './inbound-message';

/** A stable string for a conversation, used to bind sessions and records to it. */
export function conversationKey(conversation: Conversation): string {
  switch (conversation.kind) {
    case 'dm':
      return `dm:${conversation.peer}`;
    case 'group':
      return `group:${conversation.groupId}`;
    case 'note-to-self':
      return 'note-to-self';
  }
}

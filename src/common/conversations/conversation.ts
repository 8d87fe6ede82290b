/**
 * A Signal conversation: a direct message with one person, a group, or the account's own Note
 * to Self. Sessions, inbound records and outbox rows are bound to one by its key.
 */
export type Conversation =
  | { kind: 'dm'; peer: string }
  | { kind: 'group'; groupId: string; groupName: string | null }
  | { kind: 'note-to-self' };

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

/** The conversation a key stands for (the inverse of `conversationKey`). */
export function conversationFromKey(key: string): Conversation {
  if (key === 'note-to-self') return { kind: 'note-to-self' };
  if (key.startsWith('group:')) return { kind: 'group', groupId: key.slice(6), groupName: null };
  if (key.startsWith('dm:')) return { kind: 'dm', peer: key.slice(3) };
  throw new Error(`not a conversation key: ${key}`);
}

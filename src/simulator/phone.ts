/** A phone user the simulator can play. */
export interface SimulatedUser {
  number: string | null;
  uuid: string;
  name?: string;
  device?: number;
}

/** A text the phone sends to the bot. */
export interface PhoneMessage {
  from: SimulatedUser;
  text: string;
  /** signal-cli's group id (base64); the message then goes to that group. */
  groupId?: string;
  groupName?: string;
  /** Reply to a message by timestamp. */
  quote?: { timestamp: number; author: string };
  /** Sent as a sync message to Note to Self from the bot's own account. */
  noteToSelf?: boolean;
  /** An edit of the phone's earlier message with this timestamp. */
  editOf?: number;
  /** Files sent with the message (the simulator serves them by the ids in the envelope). */
  attachments?: PhoneAttachment[];
}

export interface PhoneAttachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** The id the envelope gives the `index`-th file of the message sent at `timestamp`. */
export function attachmentId(timestamp: number, index: number, contentType: string): string {
  const ext = contentType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin';
  return `${timestamp}${index}.${ext}`;
}

/** A reaction the phone puts on (or takes off) a message. */
export interface PhoneReaction {
  from: SimulatedUser;
  emoji: string;
  /** The timestamp of the message reacted to. */
  targetTimestamp: number;
  /** Who sent that message: a number like +15550100000, or an ACI UUID. */
  targetAuthor: string;
  isRemove?: boolean;
  /** signal-cli's group id (base64) when the message is in a group. */
  groupId?: string;
  groupName?: string;
}

/**
 * The `{envelope, account}` event a real phone's message produces, as signal-cli delivers it.
 * Pure: same input, same output.
 */
export function buildEnvelope(
  account: string,
  message: PhoneMessage,
  timestamp: number,
): { envelope: Record<string, unknown>; account: string } {
  const user = message.from;
  const data = dataMessage(timestamp, message.text);
  if (message.attachments?.length) {
    data.attachments = message.attachments.map((file, i) => ({
      contentType: file.contentType,
      filename: file.filename,
      id: attachmentId(timestamp, i, file.contentType),
      size: file.data.length,
      width: null,
      height: null,
      caption: null,
      uploadTimestamp: timestamp,
    }));
  }
  if (message.groupId) data.groupInfo = groupInfo(message.groupId, message.groupName);
  if (message.quote) {
    data.quote = {
      id: message.quote.timestamp,
      author: message.quote.author,
      authorNumber: message.quote.author,
      authorUuid: null,
      text: null,
      attachments: [],
    };
  }
  const envelope = envelopeFrom(user, timestamp);
  if (message.editOf !== undefined) {
    envelope.editMessage = { targetSentTimestamp: message.editOf, dataMessage: data };
  } else if (message.noteToSelf) {
    envelope.syncMessage = {
      sentMessage: {
        destination: user.number,
        destinationNumber: user.number,
        destinationUuid: user.uuid,
        ...data,
      },
    };
  } else {
    envelope.dataMessage = data;
  }
  return { envelope, account };
}

/**
 * The `{envelope, account}` event a real phone's reaction produces: a data message with no text
 * and a `reaction`. Pure: same input, same output.
 */
export function buildReaction(
  account: string,
  reaction: PhoneReaction,
  timestamp: number,
): { envelope: Record<string, unknown>; account: string } {
  const author = reaction.targetAuthor;
  const byNumber = author.startsWith('+');
  const data = dataMessage(timestamp, null);
  data.reaction = {
    emoji: reaction.emoji,
    targetAuthor: author,
    targetAuthorNumber: byNumber ? author : null,
    targetAuthorUuid: byNumber ? null : author,
    targetSentTimestamp: reaction.targetTimestamp,
    isRemove: reaction.isRemove ?? false,
  };
  if (reaction.groupId) data.groupInfo = groupInfo(reaction.groupId, reaction.groupName);
  const envelope = envelopeFrom(reaction.from, timestamp);
  envelope.dataMessage = data;
  return { envelope, account };
}

function dataMessage(timestamp: number, text: string | null): Record<string, unknown> {
  return {
    timestamp,
    message: text,
    expiresInSeconds: 0,
    isExpirationUpdate: false,
    viewOnce: false,
  };
}

function groupInfo(groupId: string, groupName: string | undefined): Record<string, unknown> {
  return { groupId, groupName: groupName ?? null, revision: 1, type: 'DELIVER' };
}

function envelopeFrom(user: SimulatedUser, timestamp: number): Record<string, unknown> {
  return {
    source: user.number ?? user.uuid,
    sourceNumber: user.number,
    sourceUuid: user.uuid,
    sourceName: user.name ?? null,
    sourceDevice: user.device ?? 1,
    timestamp,
    // Signal's servers stamp receipt and delivery a little after the phone sent.
    serverReceivedTimestamp: timestamp + 200,
    serverDeliveredTimestamp: timestamp + 240,
  };
}

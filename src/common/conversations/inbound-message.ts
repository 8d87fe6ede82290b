import type { Conversation } from './conversation';

// A message from the phone as the daemon handles it, whichever transport brought it: the
// signal module parses envelopes into these, the command layer routes them.

/** Who sent an envelope. Users are keyed by ACI UUID; the number is often hidden. */
export interface Sender {
  uuid: string | null;
  number: string | null;
  name: string | null;
  device: number;
}

interface InboundBase {
  /** `(sourceUuid ?? source, sourceDevice, timestamp)` — the de-duplication key. */
  key: string;
  sender: Sender;
  conversation: Conversation;
  /** The sender's timestamp: Signal's id for this message. */
  timestamp: number;
}

export interface InboundText extends InboundBase {
  type: 'text';
  /** The whole text (signal-cli ≥ 0.14 puts long text here, not in the attachment). */
  text: string;
  /** The message this one replies to, by its timestamp (one of ours answers an approval). */
  quote: { timestamp: number; authorUuid: string | null; authorNumber: string | null } | null;
  /** Set when this is an edit of an earlier message. */
  editOf: number | null;
  /** Files sent with the message, fetched from the transport by id when needed (absent: none). */
  attachments?: InboundAttachment[];
}

export interface InboundAttachment {
  id: string;
  contentType: string;
  /** The name on the phone, when it gave one; never trusted as a path. */
  filename: string | null;
  /** Bytes, as the envelope says. */
  size: number | null;
}

export interface InboundReaction extends InboundBase {
  type: 'reaction';
  emoji: string;
  targetTimestamp: number;
  targetAuthorUuid: string | null;
  targetAuthorNumber: string | null;
  isRemove: boolean;
}

export type InboundMessage = InboundText | InboundReaction;

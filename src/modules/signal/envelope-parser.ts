import { z } from 'zod';
import type { Conversation } from '../../common/conversations';
import { InboundMessage, ParsedEvent, Sender } from './inbound-message';

// Every schema is loose (unknown fields pass) and treats null like absent: signal-cli writes
// nulls for missing values and adds fields between versions.
const text = z.string().nullish();
const int = z.number().int().nullish();

const dataMessageFields = {
  timestamp: int,
  message: text,
  reaction: z
    .looseObject({
      emoji: z.string(),
      targetAuthorNumber: text,
      targetAuthorUuid: text,
      targetAuthor: text,
      targetSentTimestamp: z.number().int(),
      isRemove: z.boolean().nullish(),
    })
    .nullish(),
  quote: z
    .looseObject({ id: z.number().int(), authorNumber: text, authorUuid: text, author: text })
    .nullish(),
  groupInfo: z.looseObject({ groupId: z.string(), groupName: text }).nullish(),
  remoteDelete: z.unknown().nullish(),
  attachments: z
    .array(z.looseObject({ id: text, contentType: text, filename: text, size: int }).nullish())
    .nullish(),
};
const dataMessage = z.looseObject(dataMessageFields);

const envelopeSchema = z.looseObject({
  source: text,
  sourceNumber: text,
  sourceUuid: text,
  sourceName: text,
  sourceDevice: int,
  timestamp: z.number().int(),
  dataMessage: dataMessage.nullish(),
  editMessage: z.looseObject({ targetSentTimestamp: z.number().int(), dataMessage }).nullish(),
  syncMessage: z
    .looseObject({
      sentMessage: z
        .looseObject({
          ...dataMessageFields,
          destinationNumber: text,
          destinationUuid: text,
          destination: text,
        })
        .nullish(),
    })
    .nullish(),
  typingMessage: z.unknown().nullish(),
  receiptMessage: z.unknown().nullish(),
  storyMessage: z.unknown().nullish(),
  callMessage: z.unknown().nullish(),
});

const receivedSchema = z.looseObject({
  envelope: envelopeSchema,
  account: text,
  exception: z.unknown().nullish(),
});

type Envelope = z.infer<typeof envelopeSchema>;
type DataMessage = z.infer<typeof dataMessage>;

/**
 * Parses one event as any transport delivers it — `{envelope, account}`, a JSON-RPC `receive`
 * notification, or manual mode's `{subscription, result}` — into a message for us, an explicit
 * "ignored", or "malformed". Never throws.
 */
export function parseSignalEvent(raw: unknown, account: string): ParsedEvent {
  const unwrapped = unwrap(raw);
  const parsed = receivedSchema.safeParse(unwrapped);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', problem: `${issue.path.join('.') || 'event'}: ${issue.message}` };
  }
  const { envelope, exception } = parsed.data;
  if (parsed.data.account && parsed.data.account !== account) {
    return { kind: 'ignored', reason: 'other-account' };
  }
  if (exception) return { kind: 'ignored', reason: 'exception' };
  if (envelope.typingMessage) return { kind: 'ignored', reason: 'typing' };
  if (envelope.receiptMessage) return { kind: 'ignored', reason: 'receipt' };
  if (envelope.storyMessage) return { kind: 'ignored', reason: 'story' };
  if (envelope.callMessage) return { kind: 'ignored', reason: 'call' };

  const sender = senderOf(envelope);
  if (sender === undefined) return { kind: 'malformed', problem: 'envelope has no source' };

  if (envelope.syncMessage) {
    const sent = envelope.syncMessage.sentMessage;
    const toSelf =
      sent &&
      ((sent.destinationNumber ?? sent.destination) === account ||
        (sent.destinationUuid != null && sent.destinationUuid === envelope.sourceUuid));
    if (!sent || !toSelf) return { kind: 'ignored', reason: 'sync' };
    return fromData(envelope, sender, { kind: 'note-to-self' }, sent, null);
  }
  if (envelope.editMessage) {
    const edit = envelope.editMessage;
    return fromData(
      envelope,
      sender,
      conversationOf(sender, edit.dataMessage),
      edit.dataMessage,
      edit.targetSentTimestamp,
    );
  }
  if (envelope.dataMessage) {
    return fromData(
      envelope,
      sender,
      conversationOf(sender, envelope.dataMessage),
      envelope.dataMessage,
      null,
    );
  }
  return { kind: 'ignored', reason: 'no-content' };
}

function unwrap(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const params = (raw as { method?: unknown; params?: unknown }).params;
  if ((raw as { method?: unknown }).method === 'receive' && params && typeof params === 'object') {
    const result = (params as { result?: unknown }).result;
    return 'subscription' in params && result ? result : params;
  }
  return raw;
}

function senderOf(envelope: Envelope): Sender | undefined {
  const uuid = envelope.sourceUuid?.toLowerCase() ?? null;
  const number =
    envelope.sourceNumber ?? (envelope.source?.startsWith('+') ? envelope.source : null);
  if (!uuid && !number) return undefined;
  return { uuid, number, name: envelope.sourceName ?? null, device: envelope.sourceDevice ?? 1 };
}

function conversationOf(sender: Sender, data: DataMessage): Conversation {
  if (data.groupInfo) {
    return {
      kind: 'group',
      groupId: data.groupInfo.groupId,
      groupName: data.groupInfo.groupName ?? null,
    };
  }
  return { kind: 'dm', peer: (sender.uuid ?? sender.number) as string };
}

function fromData(
  envelope: Envelope,
  sender: Sender,
  conversation: Conversation,
  data: DataMessage,
  editOf: number | null,
): ParsedEvent {
  const base = {
    key: `${sender.uuid ?? envelope.source ?? sender.number}:${sender.device}:${envelope.timestamp}`,
    sender,
    conversation,
    timestamp: envelope.timestamp,
  };
  // A long text arrives with its whole body also as a text/x-signal-plain file: not a file.
  const files = (data.attachments ?? []).flatMap((a) =>
    a?.id && a.contentType !== 'text/x-signal-plain'
      ? [
          {
            id: a.id,
            contentType: a.contentType ?? 'application/octet-stream',
            filename: a.filename ?? null,
            size: a.size ?? null,
          },
        ]
      : [],
  );
  let message: InboundMessage;
  if (data.reaction) {
    const r = data.reaction;
    message = {
      ...base,
      type: 'reaction',
      emoji: r.emoji,
      targetTimestamp: r.targetSentTimestamp,
      targetAuthorUuid: r.targetAuthorUuid?.toLowerCase() ?? null,
      targetAuthorNumber: r.targetAuthorNumber ?? null,
      isRemove: r.isRemove ?? false,
    };
  } else if ((typeof data.message === 'string' && data.message.length > 0) || files.length > 0) {
    message = {
      ...base,
      type: 'text',
      text: data.message ?? '',
      ...(files.length > 0 ? { attachments: files } : {}),
      quote: data.quote
        ? {
            timestamp: data.quote.id,
            authorUuid: data.quote.authorUuid?.toLowerCase() ?? null,
            authorNumber: data.quote.authorNumber ?? null,
          }
        : null,
      editOf,
    };
  } else {
    return { kind: 'ignored', reason: 'no-content' };
  }
  return { kind: 'message', message };
}

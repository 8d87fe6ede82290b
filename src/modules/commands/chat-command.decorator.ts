import { SetMetadata } from '@nestjs/common';
import type { Conversation } from '../../common/conversations';
import type { InboundMessage, InboundText } from '../../common/conversations';

export const CHAT_COMMAND = 'bridge:chat-command';
export const CHAT_FALLBACK = 'bridge:chat-fallback';
export const STATUS_PART = 'bridge:status-part';
export const CHAT_INTERCEPTOR = 'bridge:chat-interceptor';

export interface ChatCommandOptions {
  /** `/name`, lower case. */
  name: string;
  /** What follows the name, as shown in /help (`signalcaptcha://…`, `[command]`). */
  args?: string;
  /** One line for /help. */
  summary: string;
  /** More for `/help <name>`: when to use it, what it answers. */
  usage?: string;
  /** Runs at once, never behind a running turn (`/stop`, approval answers). */
  priority?: boolean;
}

/** What a command or the fallback gets. */
export interface ChatContext {
  message: InboundText;
  conversation: Conversation;
  /** `conversationKey(conversation)`. */
  conversationKey: string;
  /** The text after the command name, trimmed ('' for plain text). */
  args: string;
  /**
   * The message's work goes on after the answer (a prompt queued behind a running turn): its
   * record stays unhandled, so a crash meanwhile offers it back, until the work starts. If the
   * work then fails unexpectedly, the phone gets the plain answer and the message is kept for
   * /retry.
   */
  hold(): HeldMessage;
}

/** A message whose work goes on after its answer. */
export interface HeldMessage {
  /** Its work started (or it was dropped, and the phone told): the record is handled. */
  started(): void;
  /** Its work failed unexpectedly: answered at the chat edge, and kept for /retry. */
  failed(error: unknown): void;
}

/** A handler answers with the text to send back, or nothing. It throws coded errors. */
export type ChatAnswer = string | undefined;

/**
 * Declares a chat command on a provider method `(context: ChatContext) => ChatAnswer | Promise<…>`.
 * The command registry finds it at boot; nothing else has to change for it to work.
 */
export const ChatCommand = (options: ChatCommandOptions): MethodDecorator =>
  SetMetadata(CHAT_COMMAND, options);

/** Declares the handler for plain text (not a command). At most one module provides it. */
export const ChatFallback = (): MethodDecorator => SetMetadata(CHAT_FALLBACK, true);

/** What an interceptor sees: a reaction, or a text that quotes an earlier message. */
export interface InterceptContext {
  message: InboundMessage;
  conversation: Conversation;
  conversationKey: string;
}

/**
 * Offered every reaction and every text that quotes a message, before commands and prompts, at
 * once (never behind a turn): `(context) => string | null | undefined`. Undefined: not mine;
 * null: handled, nothing to say; a string: handled, and the answer.
 */
export const ChatInterceptor = (): MethodDecorator => SetMetadata(CHAT_INTERCEPTOR, true);

/** Contributes lines to /status, in ascending `order`: `(context) => string | string[]` (or a promise of it). */
export const StatusPart = (order: number): MethodDecorator => SetMetadata(STATUS_PART, order);

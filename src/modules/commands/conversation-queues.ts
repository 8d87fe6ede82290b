/**
 * Runs work for one conversation at a time, in arrival order, while other conversations (and
 * priority work, which does not use the queue) go on.
 */
export class ConversationQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(conversation: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(conversation) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(conversation, tail);
    void tail.then(() => {
      if (this.tails.get(conversation) === tail) this.tails.delete(conversation);
    });
    return next;
  }

  /** Conversations with work queued or running. */
  get busy(): number {
    return this.tails.size;
  }
}

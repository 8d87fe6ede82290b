import { Injectable, Logger } from '@nestjs/common';
import { AppEventName, AppEvents } from './app-events';

export type AppEventListener<K extends AppEventName> = (payload: AppEvents[K]) => unknown;

/**
 * Delivers `AppEvents` synchronously, in the order listeners subscribed. A listener that throws
 * (or whose promise rejects) is logged and the others still run: a back edge never breaks the
 * code that emitted it.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger(EventBus.name);
  private readonly listeners = new Map<AppEventName, AppEventListener<AppEventName>[]>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends AppEventName>(name: K, listener: AppEventListener<K>): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener as AppEventListener<AppEventName>);
    this.listeners.set(name, list);
    return () => {
      const current = this.listeners.get(name) ?? [];
      this.listeners.set(
        name,
        current.filter((l) => l !== listener),
      );
    };
  }

  emit<K extends AppEventName>(name: K, payload: AppEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.failed(name, error));
      } catch (error) {
        this.failed(name, error);
      }
    }
  }

  private failed(name: AppEventName, error: unknown): void {
    this.logger.error({
      msg: 'an event listener failed',
      event: name,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

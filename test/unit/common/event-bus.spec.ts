import { Logger } from '@nestjs/common';
import { EventBus } from '../../../src/common/events';

const change = { from: 'CONNECTED', to: 'DISCONNECTED', at: 5, attempt: 0 } as const;

describe('EventBus', () => {
  afterEach(() => jest.restoreAllMocks());

  it('delivers in subscription order; a listener that throws is logged and the rest still run', () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('link.changed', (c) => seen.push(`first ${c.to}`));
    bus.on('link.changed', () => {
      throw new Error('listener broke');
    });
    bus.on('link.changed', (c) => seen.push(`third ${c.to}`));
    bus.emit('link.changed', change);
    expect(seen).toEqual(['first DISCONNECTED', 'third DISCONNECTED']);
    expect(errors.mock.calls).toEqual([
      [{ msg: 'an event listener failed', event: 'link.changed', error: 'listener broke' }],
    ]);
  });

  it('logs a listener’s rejected promise too', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const bus = new EventBus();
    bus.on('outbox.enqueued', () => Promise.reject(new Error('async failure')));
    bus.emit('outbox.enqueued', { id: 1, kind: 'reply' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.mock.calls).toEqual([
      [{ msg: 'an event listener failed', event: 'outbox.enqueued', error: 'async failure' }],
    ]);
  });

  it('stops delivering to a listener that unsubscribed', () => {
    const bus = new EventBus();
    const seen: number[] = [];
    const off = bus.on('outbox.enqueued', ({ id }) => seen.push(id));
    bus.emit('outbox.enqueued', { id: 1, kind: 'reply' });
    off();
    bus.emit('outbox.enqueued', { id: 2, kind: 'reply' });
    expect(seen).toEqual([1]);
  });
});

import { randomFillSync } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../clock';

/**
 * UUIDv7 ids (RFC 9562) stamped from the injected Clock and strictly increasing within this
 * process, even when the clock stands still (as a FakeClock does) or steps back. Time-ordered
 * keys insert at the end of SQLite's B-tree instead of at random places, and sort in creation
 * order. (Library v7 generators read the wall clock or drop monotonicity when given a time.)
 */
@Injectable()
export class IdGenerator {
  private lastMs = -1;
  private counter = 0;
  // One getrandom call per 256 ids instead of one per id.
  private readonly pool = Buffer.alloc(16 * 256);
  private poolOffset = this.pool.length;

  constructor(private readonly clock: Clock) {}

  next(): string {
    let ms = this.clock.nowMs();
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter++;
      if (this.counter > 0xfff) {
        ms++;
        this.counter = 0;
      }
    } else {
      this.counter = 0;
    }
    this.lastMs = ms;
    if (this.poolOffset === this.pool.length) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    const bytes = this.pool.subarray(this.poolOffset, (this.poolOffset += 16));
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

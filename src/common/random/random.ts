import { Injectable } from '@nestjs/common';

/** The only source of randomness in domain code, so tests can make it exact (like `Clock`). */
export abstract class Random {
  /** A number in [0, 1). */
  abstract next(): number;
}

@Injectable()
export class MathRandom extends Random {
  next(): number {
    return Math.random();
  }
}

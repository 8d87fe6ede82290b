import { Global, Module } from '@nestjs/common';
import { MathRandom, Random } from './random';

/** Provides `Random`; tests replace it through `overrideProvider(Random)`. */
@Global()
@Module({ providers: [{ provide: Random, useClass: MathRandom }], exports: [Random] })
export class RandomModule {}

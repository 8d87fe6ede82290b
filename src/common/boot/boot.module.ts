import { Module } from '@nestjs/common';
import { BootSequence } from './boot-sequence.service';

@Module({ providers: [BootSequence], exports: [BootSequence] })
export class BootModule {}

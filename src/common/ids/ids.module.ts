import { Global, Module } from '@nestjs/common';
import { IdGenerator } from './time-ordered-id';

@Global()
@Module({ providers: [IdGenerator], exports: [IdGenerator] })
export class IdsModule {}

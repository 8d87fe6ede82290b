import { Global, Module } from '@nestjs/common';
import { DiscoveryModule as NestDiscoveryModule } from '@nestjs/core';
import { MethodDiscovery } from './method-discovery';

@Global()
@Module({
  imports: [NestDiscoveryModule],
  providers: [MethodDiscovery],
  exports: [MethodDiscovery],
})
export class DiscoveryModule {}

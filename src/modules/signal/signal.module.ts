import { Module } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { InboundPipeline } from './inbound-pipeline';
import { InboundRecordRepository } from './inbound-record.repository';
import { SenderAuthorizer } from './sender-authorizer';
import { SignalIntake } from './signal-intake';
import { SignalTransport } from './signal-transport';
import { RestTransport } from './transports/rest.transport';
import { SignalCliTransport } from './transports/signal-cli.transport';

@Module({
  providers: [
    {
      provide: SignalTransport,
      inject: [AppConfig, Clock],
      useFactory: (config: AppConfig, clock: Clock): SignalTransport =>
        config.signal.transport === 'rest'
          ? new RestTransport(config, clock)
          : new SignalCliTransport(config, clock),
    },
    SenderAuthorizer,
    InboundRecordRepository,
    InboundPipeline,
    SignalIntake,
  ],
  exports: [SignalTransport, InboundPipeline, InboundRecordRepository, SignalIntake],
})
export class SignalModule {}

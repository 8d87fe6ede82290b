import { Module } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { CommandsModule } from '../commands';
import { InboundMessageRepository } from './inbound-message.repository';
import { InboundRecords } from './inbound-records.service';
import { InboundPipeline } from './inbound-pipeline.service';
import { RetryCommand } from './retry.commands';
import { SenderAuthorizer } from './sender-authorizer.service';
import { SignalIntake } from './signal-intake.service';
import { SignalTransport } from './signal-transport.port';
import { RestTransport } from './transports/rest.transport';
import { SignalCliTransport } from './transports/signal-cli.transport';
import { UnhandledOfferService } from './unhandled-offer.service';

/** Talking to Signal and taking in what arrives: transports, parsing, authorization, records. */
@Module({
  imports: [CommandsModule],
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
    InboundMessageRepository,
    InboundRecords,
    InboundPipeline,
    SignalIntake,
    RetryCommand,
    UnhandledOfferService,
  ],
  exports: [SignalTransport, SignalIntake],
})
export class SignalModule {}

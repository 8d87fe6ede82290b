import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { Sender } from './inbound-message';

/**
 * The allowlist: owners by number or ACI UUID. In own-account mode (the daemon is a linked
 * device of the owner's own number) the account itself is the owner.
 */
@Injectable()
export class SenderAuthorizer {
  private readonly allowed: Set<string>;

  constructor(config: AppConfig) {
    this.allowed = new Set([...config.signal.authorizedSenders, config.signal.account]);
  }

  isAuthorized(sender: Sender): boolean {
    return (
      (sender.uuid !== null && this.allowed.has(sender.uuid)) ||
      (sender.number !== null && this.allowed.has(sender.number))
    );
  }
}

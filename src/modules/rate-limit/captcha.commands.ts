import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext } from '../commands';
import { SignalTransport, SignalTransportError } from '../signal';
import { CaptchaError } from './rate-limit.errors';
import { RateLimiter } from './rate-limiter.service';

export const CAPTCHA_HELP =
  'Solve the captcha at https://signalcaptchas.org/challenge/generate.html, then send ' +
  '/captcha followed by the signalcaptcha://… link it gives you.';

/** The captcha flow: when Signal demands proof, the owner solves one and sends it here. */
@Injectable()
export class CaptchaCommand {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly transport: SignalTransport,
  ) {}

  @ChatCommand({
    name: '/captcha',
    args: 'signalcaptcha://…',
    summary: 'lift a Signal rate limit that asks for a captcha',
    usage: CAPTCHA_HELP,
  })
  async captcha({ args }: ChatContext): Promise<string> {
    const token = this.limiter.challenge;
    if (!token) return 'Signal is not asking for a captcha right now.';
    if (!args.startsWith('signalcaptcha://')) return CAPTCHA_HELP;
    try {
      await this.transport.submitRateLimitChallenge(token, args);
    } catch (error) {
      // Signal unreachable stays what it is; a refusal is about the captcha itself.
      if (error instanceof SignalTransportError && error.code === 'UNREACHABLE') throw error;
      throw new CaptchaError('REJECTED', (error as Error).message);
    }
    this.limiter.liftCaptcha();
    return 'Captcha accepted: sending resumes.';
  }
}

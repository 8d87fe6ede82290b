import { DomainError } from '../../common/errors';

export type CaptchaErrorCode = 'REJECTED';

declare module '../../common/errors/domain-error' {
  interface ErrorCodes {
    captcha: CaptchaErrorCode;
  }
}

/** Signal did not take the captcha the owner solved. */
export class CaptchaError extends DomainError<'captcha'> {
  constructor(code: CaptchaErrorCode, message: string) {
    super('captcha', code, message);
  }
}

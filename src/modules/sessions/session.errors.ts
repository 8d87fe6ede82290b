import { DomainError } from '../../common/errors';

export type SessionErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_TRANSITION'
  | 'STALE_STATUS'
  | 'PROJECT_OUTSIDE_ROOTS'
  | 'PROJECT_NOT_FOUND';

declare module '../../common/errors/domain-error' {
  interface ErrorCodes {
    session: SessionErrorCode;
  }
}

export class SessionError extends DomainError<'session'> {
  constructor(code: SessionErrorCode, message: string) {
    super('session', code, message);
  }
}

import { DomainError } from '../../common/errors/domain-error';

export type SessionErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_TRANSITION'
  | 'STALE_STATUS'
  | 'PROJECT_OUTSIDE_ROOTS'
  | 'PROJECT_NOT_FOUND';

export class SessionError extends DomainError<SessionErrorCode> {
  constructor(code: SessionErrorCode, message: string) {
    super(code, message);
  }
}

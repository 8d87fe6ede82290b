import { DomainError } from '../../common/errors';

export type BackupErrorCode = 'WRITE_FAILED' | 'VERIFY_FAILED';

declare module '../../common/errors/domain-error' {
  interface ErrorCodes {
    backup: BackupErrorCode;
  }
}

/** A database backup that was not saved; the message (for the log) names the path and cause. */
export class BackupError extends DomainError<'backup'> {
  constructor(code: BackupErrorCode, message: string) {
    super('backup', code, message);
  }
}

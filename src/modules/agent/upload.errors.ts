import { DomainError } from '../../common/errors';

export type UploadErrorCode = 'FOLDER_OUTSIDE_PROJECT';

declare module '../../common/errors/domain-error' {
  interface ErrorCodes {
    upload: UploadErrorCode;
  }
}

/** A file from the phone could not be saved in the project; the prompt is kept for /retry. */
export class UploadError extends DomainError<'upload'> {
  constructor(code: UploadErrorCode, message: string) {
    super('upload', code, message);
  }
}

import { DomainError, ErrorCodes, ErrorDomain } from '../../common/errors';

/**
 * The one place where coded errors become words for the phone. Every domain and code has an
 * answer (the compiler checks: `ErrorCodes` is filled in by each module), and no answer carries
 * an error's own message, which may hold URLs, paths or tokens.
 */
export const CHAT_ERROR_ANSWERS: {
  readonly [D in ErrorDomain]: Readonly<Record<ErrorCodes[D], string>>;
} = {
  session: {
    NOT_FOUND: 'that session does not exist.',
    INVALID_TRANSITION: 'the session is not in a state that allows this.',
    STALE_STATUS: 'the session changed at the same moment; look at it again and retry.',
    PROJECT_OUTSIDE_ROOTS: 'that folder is outside the project roots I may use.',
    PROJECT_NOT_FOUND: 'I found no project folder by that name.',
  },
  connection: {
    INVALID_TRANSITION: 'the Signal link was in the middle of changing state.',
  },
  signal: {
    UNREACHABLE: 'Signal could not be reached.',
    REJECTED: 'Signal refused the request.',
    PROTOCOL: 'Signal answered in a way I did not understand.',
  },
  captcha: {
    REJECTED:
      'Signal did not accept that captcha (it may be outdated or already used). Solve a new one and send /captcha with the new link.',
  },
  backup: {
    WRITE_FAILED:
      'the backup could not be written (is the disk full, or the backup folder not writable?). The earlier backups are untouched.',
    VERIFY_FAILED:
      'the new backup failed its integrity check, so it was deleted. The earlier backups are untouched.',
  },
};

const UNEXPECTED = 'something went wrong on my side (the daemon’s log has the details).';

/** Why it failed, in plain words. */
function reasonFor(error: unknown): string {
  if (error instanceof DomainError) {
    const byCode = CHAT_ERROR_ANSWERS[error.domain as ErrorDomain] as
      Record<string, string> | undefined;
    const answer = byCode?.[error.code as string];
    if (answer) return answer;
  }
  return UNEXPECTED;
}

/** The chat answer to a message whose handling failed; `what` names it (`/status`, “fix …”). */
export function failureAnswer(error: unknown, what: string): string {
  return `I could not run ${what}: ${reasonFor(error)} It is kept: send /retry to run it again.`;
}

/** A label for metrics and logs: `domain.CODE`, or `unexpected`. */
export function errorLabel(error: unknown): string {
  return error instanceof DomainError ? `${error.domain}.${String(error.code)}` : 'unexpected';
}

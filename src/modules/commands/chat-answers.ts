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
  upload: {
    FOLDER_OUTSIDE_PROJECT:
      "the project's phone-uploads folder leads outside the project (it is a link), so the file was not saved. Replace that link with a plain folder at the desk.",
  },
  sandbox: {
    BWRAP_MISSING:
      'the sandbox is required (SANDBOX=on), but bubblewrap is not installed. Install it on the computer with `sudo apt-get install -y bubblewrap socat`, or set SANDBOX=auto to run without a sandbox.',
    SOCAT_MISSING:
      'the sandbox is required (SANDBOX=on), but socat is not installed. Install it on the computer with `sudo apt-get install -y socat`, or set SANDBOX=auto to run without a sandbox.',
    USERNS_UNAVAILABLE:
      'the sandbox is required (SANDBOX=on), but bubblewrap cannot start on this computer (user namespaces are off). `npm run doctor` shows the fix; or set SANDBOX=auto to run without a sandbox.',
    UNSUPPORTED_PLATFORM:
      'the sandbox is required (SANDBOX=on), but Claude Code has no sandbox on this system. Set SANDBOX=auto or off.',
  },
  backup: {
    WRITE_FAILED:
      'the backup could not be written (is the disk full, or the backup folder not writable?). The earlier backups are untouched.',
    VERIFY_FAILED:
      'the new backup failed its integrity check, so it was deleted. The earlier backups are untouched.',
  },
};

/**
 * Codes that mean the person asked for something that cannot be (a folder outside the roots, a
 * project that is not there): answered, but not kept for /retry, since running it again would
 * give the same answer, and not counted as a handling failure.
 */
export const USER_MISTAKES: { readonly [D in ErrorDomain]?: readonly ErrorCodes[D][] } = {
  session: ['PROJECT_OUTSIDE_ROOTS', 'PROJECT_NOT_FOUND'],
};

/** Whether the error is the person's mistake rather than a failure (see USER_MISTAKES). */
export function isUserMistake(error: unknown): boolean {
  if (!(error instanceof DomainError)) return false;
  const codes = USER_MISTAKES[error.domain as ErrorDomain] as readonly string[] | undefined;
  return codes?.includes(error.code as string) ?? false;
}

/** The chat answer to a user mistake: why not, and nothing kept. */
export function mistakeAnswer(error: unknown, what: string): string {
  return `I could not run ${what}: ${reasonFor(error)}`;
}

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

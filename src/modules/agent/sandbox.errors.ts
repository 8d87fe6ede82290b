import { DomainError } from '../../common/errors';
import { SandboxProblem } from './sandbox-probe';

declare module '../../common/errors/domain-error' {
  interface ErrorCodes {
    sandbox: SandboxProblem;
  }
}

/** SANDBOX=on, and Claude Code's sandbox cannot start: no prompt runs. */
export class SandboxError extends DomainError<'sandbox'> {
  constructor(code: SandboxProblem, message: string) {
    super('sandbox', code, message);
  }
}

import { Logger } from '@nestjs/common';

/**
 * jest setup: Nest's logger prints nothing in tests, so a green run shows only jest's own lines.
 * Services built by hand log through it too; a test that checks a log line spies on
 * `Logger.prototype` (the spy sees every call whatever the output).
 */
Logger.overrideLogger(false);

/** The /help answer the registry generates from the commands the daemon's modules declare. */
export const HELP_TEXT = [
  'Commands:',
  '/captcha signalcaptcha://…: lift a Signal rate limit that asks for a captcha',
  '/help [command]: this list, or how to use one command',
  '/retry: run again the messages here that failed or that a restart left unhandled',
  '/status: Signal link, sending, sessions, messages waiting',
  '/stop: stop the running turn (answered at once, even mid-turn)',
  'Anything else is a prompt for this conversation’s session.',
].join('\n');

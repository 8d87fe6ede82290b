/** The /help answer the registry generates from the commands the daemon's modules declare. */
export const HELP_TEXT = [
  'Commands:',
  '/always [id]: approve, and allow that tool (a shell command by its prefix) for this session',
  '/approve [id|all] [ask|edits]: let the tool call waiting for approval run',
  '/captcha signalcaptcha://…: lift a Signal rate limit that asks for a captcha',
  '/end: end this conversation’s session for good',
  '/help [command]: this list, or how to use one command',
  '/mode [ask|edits|plan]: how much Claude may do without asking, for this session',
  '/new <project> [first prompt]: start a Claude Code session in a project folder',
  '/pause: pause this conversation’s session (stops a running turn)',
  '/reject [id] [reason]: refuse the tool call waiting for approval; the reason goes to Claude',
  '/resume [id]: continue a paused session (the newest, or the one named)',
  '/retry: run again the messages here that failed or that a restart left unhandled',
  '/sessions: the sessions of this conversation',
  '/status: Signal link, sending, sessions, messages waiting',
  '/stop: stop the running turn (answered at once, even mid-turn)',
  'Anything else is a prompt for this conversation’s session.',
].join('\n');

import { Injectable, Module } from '@nestjs/common';
import { TestingModuleBuilder } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { CHAT_ERROR_ANSWERS, ChatCommand, ChatFallback } from '../../src/modules/commands';
import { OutboxService } from '../../src/modules/outbox';
import { CaptchaError, RateLimiter } from '../../src/modules/rate-limit';
import { SessionCommands } from '../../src/modules/agent/session.commands';
import { ConnectionError } from '../../src/modules/resilience';
import { SessionError } from '../../src/modules/sessions';
import { SignalTransportError } from '../../src/modules/signal';
import { BackupError } from '../../src/modules/maintenance/backup.errors';
import { SandboxError } from '../../src/modules/agent/sandbox.errors';
import { UploadError } from '../../src/modules/agent/upload.errors';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

/** A feature module a test adds: its command and prompt handler throw whatever they are told. */
@Injectable()
class Failing {
  next: unknown;

  @ChatCommand({ name: '/fail', summary: 'throws what the test tells it to' })
  fail(): string {
    if (this.next) throw this.next;
    return 'fine now';
  }

  @ChatFallback()
  prompt(): string {
    if (this.next) throw this.next;
    return 'prompt ran';
  }
}

@Module({ providers: [Failing] })
class FailingModule {}

/** The test module's prompt handler stands in for the agent's (a bare object declares nothing). */
const withoutAgentPrompts = (b: TestingModuleBuilder) =>
  b.overrideProvider(SessionCommands).useValue({});

const RETRY_HINT = 'It is kept: send /retry to run it again.';

async function inboundStates(t: SignalTestApp): Promise<string[]> {
  const rows: { state: string }[] = await t.app
    .get(DataSource)
    .query(`SELECT state FROM inbound_messages ORDER BY received_at, key`);
  return rows.map((r) => r.state);
}

async function failures(t: SignalTestApp, error: string): Promise<number> {
  const metric = await t.app.get(Registry).getSingleMetric('bridge_handling_failures_total')?.get();
  return metric?.values.find((v) => v.labels.error === error)?.value ?? 0;
}

describe('a handler that throws', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('is answered in plain words, counted, kept for /retry, and run by /retry once it works', async () => {
    t = await createSignalApp('signal-cli', {
      imports: [FailingModule],
      override: withoutAgentPrompts,
    });
    const failing = t.app.get(Failing);
    failing.next = new Error('SQLITE_IOERR at http://127.0.0.1:8080/api/v1/rpc?token=s3cret');
    t.sim.phoneSends({ from: OWNER, text: '/fail' });
    t.sim.phoneSends({ from: OWNER, text: 'fix the failing test in src/app.ts please' });
    await waitFor(() => t.sim.sent.length === 2, 'both answers');
    expect(t.sim.sent.map((s) => s.message)).toEqual([
      `I could not run /fail: something went wrong on my side (the daemon’s log has the details). ${RETRY_HINT}`,
      `I could not run “fix the failing test in src/app.ts please”: something went wrong on my side (the daemon’s log has the details). ${RETRY_HINT}`,
    ]);
    await expect(failures(t, 'unexpected')).resolves.toBe(2);
    await expect(t.inbound('failed')).resolves.toBe(2);
    await expect(inboundStates(t)).resolves.toEqual(['awaiting-retry', 'awaiting-retry']);

    failing.next = undefined;
    t.sim.phoneSends({ from: OWNER, text: '/retry' });
    await waitFor(() => t.sim.sent.length === 5, 'the retried answers');
    expect(t.sim.sent.slice(2).map((s) => s.message)).toEqual([
      'Running 2 saved message(s).',
      'fine now',
      'prompt ran',
    ]);
    await expect(inboundStates(t)).resolves.toEqual(['handled', 'handled', 'handled']);
  });

  it('fails again under /retry: answered again and still kept', async () => {
    t = await createSignalApp('signal-cli', {
      imports: [FailingModule],
      override: withoutAgentPrompts,
    });
    const failing = t.app.get(Failing);
    failing.next = new Error('still broken');
    t.sim.phoneSends({ from: OWNER, text: '/fail' });
    await waitFor(() => t.sim.sent.length === 1, 'the first answer');
    t.sim.phoneSends({ from: OWNER, text: '/retry' });
    await waitFor(() => t.sim.sent.length === 3, 'the retry answers');
    expect(t.sim.sent.slice(1).map((s) => s.message)).toEqual([
      'Running 1 saved message(s).',
      `I could not run /fail: something went wrong on my side (the daemon’s log has the details). ${RETRY_HINT}`,
    ]);
    await expect(inboundStates(t)).resolves.toEqual(['awaiting-retry', 'handled']);
  });
});

/** Every coded error, the exact answer it gets, and an error message that must never show. */
const CODED: [string, string, unknown, string][] = [
  [
    'session',
    'NOT_FOUND',
    new SessionError('NOT_FOUND', 'No session 0190…'),
    'that session does not exist.',
  ],
  [
    'session',
    'INVALID_TRANSITION',
    new SessionError('INVALID_TRANSITION', 'A session cannot go from ACTIVE to TERMINATED.'),
    'the session is not in a state that allows this.',
  ],
  [
    'session',
    'STALE_STATUS',
    new SessionError('STALE_STATUS', 'Session x is PAUSED, not ACTIVE'),
    'the session changed at the same moment; look at it again and retry.',
  ],
  [
    'session',
    'PROJECT_OUTSIDE_ROOTS',
    new SessionError('PROJECT_OUTSIDE_ROOTS', '"/etc" is outside the project roots (/home/me/p).'),
    'that folder is outside the project roots I may use.',
  ],
  [
    'session',
    'PROJECT_NOT_FOUND',
    new SessionError('PROJECT_NOT_FOUND', 'No project folder "nope" was found.'),
    'I found no project folder by that name.',
  ],
  [
    'connection',
    'INVALID_TRANSITION',
    new ConnectionError('CONNECTED', 'RECONNECTING'),
    'the Signal link was in the middle of changing state.',
  ],
  [
    'signal',
    'UNREACHABLE',
    new SignalTransportError('UNREACHABLE', 'POST http://127.0.0.1:8080/api/v1/rpc: ECONNREFUSED'),
    'Signal could not be reached.',
  ],
  [
    'signal',
    'REJECTED',
    new SignalTransportError('REJECTED', 'send: HTTP 400 http://127.0.0.1:8080/v2/send'),
    'Signal refused the request.',
  ],
  [
    'signal',
    'PROTOCOL',
    new SignalTransportError('PROTOCOL', 'send: HTTP 502 from http://127.0.0.1:8080'),
    'Signal answered in a way I did not understand.',
  ],
  [
    'captcha',
    'REJECTED',
    new CaptchaError('REJECTED', 'challenge 5a1e2b3c-… rejected'),
    'Signal did not accept that captcha (it may be outdated or already used). Solve a new one and send /captcha with the new link.',
  ],
  [
    'backup',
    'WRITE_FAILED',
    new BackupError('WRITE_FAILED', 'ENOSPC: no space left on device, open /data/backups/x'),
    'the backup could not be written (is the disk full, or the backup folder not writable?). The earlier backups are untouched.',
  ],
  [
    'backup',
    'VERIFY_FAILED',
    new BackupError('VERIFY_FAILED', 'integrity_check: *** in database main ***'),
    'the new backup failed its integrity check, so it was deleted. The earlier backups are untouched.',
  ],
  [
    'upload',
    'FOLDER_OUTSIDE_PROJECT',
    new UploadError('FOLDER_OUTSIDE_PROJECT', '/p/demo/phone-uploads resolves to /home/me/.ssh'),
    "the project's phone-uploads folder leads outside the project (it is a link), so the file was not saved. Replace that link with a plain folder at the desk.",
  ],
  [
    'sandbox',
    'BWRAP_MISSING',
    new SandboxError('BWRAP_MISSING', 'bubblewrap (bwrap) is not installed'),
    'the sandbox is required (SANDBOX=on), but bubblewrap is not installed. Install it on the computer with `sudo apt-get install -y bubblewrap socat`, or set SANDBOX=auto to run without a sandbox.',
  ],
  [
    'sandbox',
    'SOCAT_MISSING',
    new SandboxError('SOCAT_MISSING', 'socat is not installed'),
    'the sandbox is required (SANDBOX=on), but socat is not installed. Install it on the computer with `sudo apt-get install -y socat`, or set SANDBOX=auto to run without a sandbox.',
  ],
  [
    'sandbox',
    'USERNS_UNAVAILABLE',
    new SandboxError('USERNS_UNAVAILABLE', 'bubblewrap cannot start: No permissions'),
    'the sandbox is required (SANDBOX=on), but bubblewrap cannot start on this computer (user namespaces are off). `npm run doctor` shows the fix; or set SANDBOX=auto to run without a sandbox.',
  ],
  [
    'sandbox',
    'UNSUPPORTED_PLATFORM',
    new SandboxError('UNSUPPORTED_PLATFORM', 'no sandbox on win32'),
    'the sandbox is required (SANDBOX=on), but Claude Code has no sandbox on this system. Set SANDBOX=auto or off.',
  ],
];

describe('every coded error reaches the phone as its plain answer', () => {
  let t: SignalTestApp;
  beforeAll(async () => {
    t = await createSignalApp('signal-cli', {
      imports: [FailingModule],
      override: withoutAgentPrompts,
      env: { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' }, // one answer per case
    });
  });
  afterAll(() => t.close());

  it('the cases below cover every domain and code the answer map knows', () => {
    const known = Object.entries(CHAT_ERROR_ANSWERS).flatMap(([domain, codes]) =>
      Object.keys(codes).map((code) => `${domain}.${code}`),
    );
    expect(CODED.map(([domain, code]) => `${domain}.${code}`).sort()).toEqual(known.sort());
  });

  /** The person's own mistakes: answered, but neither kept for /retry nor counted as failures. */
  const MISTAKES = ['session.PROJECT_OUTSIDE_ROOTS', 'session.PROJECT_NOT_FOUND'];

  it.each(CODED)('%s.%s', async (domain, code, error, reason) => {
    t.app.get(Failing).next = error;
    const before = t.sim.sent.length;
    t.sim.phoneSends({ from: OWNER, text: '/fail' });
    await waitFor(() => t.sim.sent.length === before + 1, 'the answer');
    const states = await inboundStates(t);
    const mistake = MISTAKES.includes(`${domain}.${code}`);
    expect(t.sim.sent[before].message).toBe(
      mistake
        ? `I could not run /fail: ${reason}`
        : `I could not run /fail: ${reason} ${RETRY_HINT}`,
    );
    await expect(failures(t, `${domain}.${code}`)).resolves.toBe(mistake ? 0 : 1);
    // Nothing lost: a failure waits for /retry; a mistake would only be answered the same again.
    expect(states[states.length - 1]).toBe(mistake ? 'handled' : 'awaiting-retry');
  });
});

describe('/captcha that Signal refuses', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('answers in plain words (no token, no URL) and keeps the message for /retry', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.rateLimitNextSends(1000, { proofRequired: true });
    t.app.get(OutboxService).enqueue({
      to: { kind: 'dm', peer: OWNER.uuid },
      body: 'a reply',
      kind: 'reply',
    });
    const limiter = t.app.get(RateLimiter);
    await waitFor(() => limiter.snapshot().state === 'captcha-required', 'the refused send');
    t.sim.expireChallenges();
    t.sim.phoneSends({ from: OWNER, text: '/captcha signalcaptcha://solved-too-late' });
    await waitFor(async () => (await t.inbound('failed')) === 1, 'the failed /captcha');
    const rows: { body: string }[] = await t.app
      .get(DataSource)
      .query(`SELECT body FROM outbox_messages WHERE state = 'pending' ORDER BY id`);
    expect(rows.map((r) => r.body)).toEqual([
      'a reply',
      `I could not run /captcha: Signal did not accept that captcha (it may be outdated or already used). Solve a new one and send /captcha with the new link. ${RETRY_HINT}`,
    ]);
    await expect(inboundStates(t)).resolves.toEqual(['awaiting-retry']);
  });
});

describe('the person’s own mistakes', () => {
  let t: SignalTestApp;
  beforeAll(async () => {
    t = await createSignalApp('signal-cli', {
      env: { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' },
    });
  });
  afterAll(() => t.close());

  it.each([
    ['/new ../../etc', 'I could not run /new: that folder is outside the project roots I may use.'],
    ['/new /etc', 'I could not run /new: that folder is outside the project roots I may use.'],
    ['/new no-such-project', 'I could not run /new: I found no project folder by that name.'],
    ['/use ../..', 'I could not run /use: that folder is outside the project roots I may use.'],
    ['/use no-such-project', 'I could not run /use: I found no project folder by that name.'],
  ])('%s: answered, handled, not kept for /retry and not counted', async (text, answer) => {
    const before = t.sim.sent.length;
    t.sim.phoneSends({ from: OWNER, text });
    await waitFor(() => t.sim.sent.length === before + 1, 'the answer');
    expect(t.sim.sent[before].message).toBe(answer);
    const states = await inboundStates(t);
    expect(states[states.length - 1]).toBe('handled');
    const metric = await t.app
      .get(Registry)
      .getSingleMetric('bridge_handling_failures_total')
      ?.get();
    expect(metric?.values ?? []).toEqual([]);
  });
});

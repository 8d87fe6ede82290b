import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { loadConfig } from '../../src/common/config';
import { createApp, TestApp } from '../utils/create-app';
import { httpGet } from '../utils/http';
import { parsePlist, parseSystemdUnit, PlistValue } from '../utils/service-files';
import { makeTempDir } from '../utils/temp-dir';
import { testEnvironment } from '../utils/test-config';

const ROOT = join(__dirname, '..', '..');
const DEPLOY = join(ROOT, 'deploy');
const read = (name: string) => readFileSync(join(DEPLOY, name), 'utf8');

/** What the service files must allow for: the defaults the daemon runs with. */
function defaults(): { httpPort: number; stopSeconds: number } {
  const temp = makeTempDir();
  try {
    const config = loadConfig({ ...testEnvironment(temp.path), HTTP_PORT: undefined });
    // A stop waits a grace after interrupting, then another after SIGTERM, before SIGKILL.
    return { httpPort: config.http.port, stopSeconds: (2 * config.agent.stopGraceMs) / 1000 };
  } finally {
    temp.remove();
  }
}

describe('deploy/: the service files', () => {
  const { httpPort, stopSeconds } = defaults();

  describe('the systemd unit', () => {
    const unit = parseSystemdUnit(read('claude-signal-bridge.service'));
    const service = unit.Service;

    it('starts the built daemon from the checkout, with its .env', () => {
      expect(service.ExecStart).toEqual(['/usr/bin/node dist/src/daemon.js']);
      expect(existsSync(join(ROOT, 'dist', 'src', 'daemon.js'))).toBe(true);
      expect(existsSync(join(ROOT, 'dist', 'bundle', 'daemon.js'))).toBe(true); // what it runs
      expect(service.WorkingDirectory).toEqual(['%h/claude-signal-bridge']);
      expect(service.EnvironmentFile).toEqual(['%h/claude-signal-bridge/.env']);
      expect(unit.Install.WantedBy).toEqual(['default.target']);
    });

    it('restarts on failure and gives a stop longer than the daemon can take', () => {
      expect(service.Restart).toEqual(['on-failure']);
      expect(Number(service.RestartSec)).toBeGreaterThan(0);
      expect(service.KillMode).toEqual(['mixed']);
      expect(Number(service.TimeoutStopSec)).toBeGreaterThan(stopSeconds);
    });

    it('hardens nothing the agent needs: it writes in the home folder and Node has a JIT', () => {
      expect(service.NoNewPrivileges).toEqual(['yes']);
      for (const key of [
        'ProtectHome',
        'ProtectSystem',
        'MemoryDenyWriteExecute',
        'ReadOnlyPaths',
      ]) {
        expect([key, service[key]]).toEqual([key, undefined]);
      }
    });

    it('waits for the liveness route on the default port', () => {
      expect(service.ExecStartPost).toHaveLength(1);
      expect(service.ExecStartPost[0]).toContain(`:$\${HTTP_PORT:-${httpPort}}/health/live"`);
    });
  });

  describe('the launchd property list', () => {
    const plist = parsePlist(read('com.claude-signal-bridge.plist')) as Record<string, PlistValue>;

    it('starts the built daemon from the checkout, at load, with a PATH for the agent', () => {
      const [node, script] = plist.ProgramArguments as string[];
      expect(isAbsolute(node)).toBe(true);
      expect(script).toBe('dist/src/daemon.js');
      expect(existsSync(join(ROOT, script))).toBe(true);
      expect(isAbsolute(plist.WorkingDirectory as string)).toBe(true);
      expect(plist.RunAtLoad).toBe(true);
      const env = plist.EnvironmentVariables as Record<string, string>;
      expect(env.NODE_ENV).toBe('production');
      expect(env.PATH.split(':')).toEqual(expect.arrayContaining(['/usr/bin', '/bin']));
    });

    it('restarts after a crash but not after a clean stop, at most every ThrottleInterval', () => {
      expect(plist.Label).toBe('com.claude-signal-bridge');
      expect(plist.KeepAlive).toEqual({ SuccessfulExit: false });
      expect(plist.ThrottleInterval).toBe(10);
      expect(plist.ExitTimeOut).toBeGreaterThan(stopSeconds);
    });

    it('logs to two absolute paths', () => {
      expect(isAbsolute(plist.StandardOutPath as string)).toBe(true);
      expect(isAbsolute(plist.StandardErrorPath as string)).toBe(true);
      expect(plist.StandardOutPath).not.toBe(plist.StandardErrorPath);
    });

    it('is judged by a parser that does reject a malformed plist', () => {
      const good = read('com.claude-signal-bridge.plist');
      expect(() => parsePlist(good.replace('</array>', ''))).toThrow();
      expect(() => parsePlist(good.replace('<true/>', '<yes/>'))).toThrow(
        'not a plist element: <yes/>',
      );
      expect(() => parsePlist(good.replace('<!--', '<!-- -- '))).toThrow(
        '"--" inside an XML comment',
      );
    });
  });

  describe('the health routes they name are real', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createApp();
    });
    afterAll(() => t.close());

    const named = [
      ...[...read('claude-signal-bridge.service').matchAll(/\/health\/[a-z]+/g)].map((m) => m[0]),
      ...[...read('README.md').matchAll(/curl [^\n]*http:\/\/127\.0\.0\.1:\d+(\/[a-z/]+)/g)].map(
        (m) => m[1],
      ),
    ];

    it('every curl in deploy/README.md uses the default port', () => {
      const ports = read('README.md')
        .split('\n')
        .flatMap((line) =>
          [...line.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])),
        );
      expect(ports.length).toBeGreaterThan(0);
      expect(new Set(ports)).toEqual(new Set([httpPort]));
    });

    it('answers /health/live with 200 and every other path named with a route (not 404)', async () => {
      const paths = [...new Set(named)].sort();
      expect(paths).toEqual(['/health/live', '/health/ready', '/metrics']);

      const statuses = await Promise.all(
        paths.map(async (p) => [p, (await httpGet(t.app, p)).status]),
      );

      // Readiness is 503 here: the test app has no Signal to connect to.
      expect(statuses).toEqual([
        ['/health/live', 200],
        ['/health/ready', 503],
        ['/metrics', 200],
      ]);
    });
  });
});

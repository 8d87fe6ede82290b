import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock } from '../src/common/clock';
import { loadConfig } from '../src/common/config';
import { AgentEnvironment } from '../src/modules/agent';
import { AgentSandbox } from '../src/modules/agent/agent-sandbox.service';
import { SdkAgentRunner } from '../src/modules/agent/sdk-agent-runner';
import { ScriptedModelServer } from '../src/model-sim/scripted-model-server';
import { BenchResult, BenchSuite, benchDir, elapsedMs } from './harness';

const ROUNDS = 7;
/** The aim: the sandbox adds under 150 ms to a turn. */
const OVERHEAD_AIM_MS = 150;

/**
 * The same one-Bash turn on the real Claude Code CLI (through the daemon's own runner, rules and
 * high-risk hook included) against the scripted model, with Claude Code's sandbox and without:
 * the median of 7 rounds each, taken in turns so both see the same machine.
 */
export const sandboxBench: BenchSuite = {
  name: 'sandbox',
  async run(): Promise<BenchResult[]> {
    const dir = benchDir();
    const project = join(dir, 'projects', 'demo');
    const home = join(dir, 'home');
    mkdirSync(project, { recursive: true });
    mkdirSync(join(home, 'tmp'), { recursive: true });
    const model = new ScriptedModelServer();
    const url = await model.start();
    const runners = (['on', 'off'] as const).map((mode) => {
      const config = loadConfig({
        DATA_DIR: join(dir, 'data'),
        SIGNAL_ACCOUNT: '+15550100000',
        AUTHORIZED_SENDERS: '+15550100001',
        PROJECT_ROOTS: join(dir, 'projects'),
        SANDBOX: mode,
      });
      const environment = {
        variables: () => ({
          PATH: process.env.PATH,
          HOME: home,
          ANTHROPIC_BASE_URL: url,
          ANTHROPIC_API_KEY: 'sk-bench-not-a-real-key',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          CLAUDE_CODE_TMPDIR: join(home, 'tmp'),
        }),
      } as unknown as AgentEnvironment;
      const sandbox = new AgentSandbox(config, environment, new SystemClock());
      return { sandbox, runner: new SdkAgentRunner(config, environment, sandbox) };
    });
    const [sandboxed, unsandboxed] = runners;
    await sandboxed.sandbox.ready(); // throws where the sandbox cannot start
    const turn = async (runner: SdkAgentRunner): Promise<number> => {
      model.reply(
        { tools: [{ name: 'Bash', input: { command: 'echo hi > out.txt' } }] },
        { text: 'done' },
      );
      return elapsedMs(async () => {
        const run = runner.start({
          prompt: 'write it',
          cwd: project,
          permissionMode: 'default',
          allowedTools: ['Read'],
          disallowedTools: [],
          screen: async () => null,
          askPermission: async (ask) => ({ behavior: 'allow', updatedInput: ask.input }),
        });
        for await (const event of run.events) {
          if (event.type === 'result' && !event.ok) throw new Error(event.errors.join('; '));
          if (event.type === 'crash') throw new Error(event.message);
        }
        await run.whenExited;
      });
    };
    await turn(sandboxed.runner); // warm-up: the disk cache, the CLI's first start
    await turn(unsandboxed.runner);
    const on: number[] = [];
    const off: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      on.push(await turn(sandboxed.runner));
      off.push(await turn(unsandboxed.runner));
    }
    await model.stop();
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
    const overhead = median(on) - median(off);
    return [
      { name: 'agent.sandboxed_turn', value: median(on), unit: 'ms' },
      { name: 'agent.unsandboxed_turn', value: median(off), unit: 'ms' },
      {
        name: 'agent.sandbox_overhead',
        value: overhead,
        unit: 'ms',
        ratio: overhead / OVERHEAD_AIM_MS,
        limit: OVERHEAD_AIM_MS,
      },
    ];
  },
};

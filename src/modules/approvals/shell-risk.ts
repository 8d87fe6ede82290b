import { basename, relative, resolve } from 'node:path';
import { expandHome, isWithin as within } from '../../common/paths';
import type { ShellNode } from './shell-parser';

/** A path no command may touch without the owner typing the approval out. */
export interface ProtectedPath {
  /** Absolute. */
  path: string;
  /** How the phone names it: `~/.ssh`, `the bridge's data folder`. */
  name: string;
}

export interface ShellRiskPolicy {
  /** The session's project folder (absolute). */
  projectPath: string;
  /** The agent's home folder: `~` and `$HOME`. */
  home: string;
  /** Folders the system keeps for temporary files: writing there is not writing outside. */
  tempPaths: readonly string[];
  protectedPaths: readonly ProtectedPath[];
  /** The agent's own temp folder: inside a protected one (DATA_DIR), but the agent's to use. */
  agentTemp?: string;
  /** Commands that are high risk whatever their arguments, as words: `dd`, `terraform destroy`. */
  highRiskCommands: readonly string[];
}

/** A shell word with quoting and escapes undone; `dynamic` when an expansion makes it unknowable. */
interface Word {
  text: string;
  dynamic: boolean;
  /** The syntax node it came from (a process substitution is looked into). */
  node?: ShellNode;
}

type Parse = (script: string) => ShellNode;

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox']);
const PYTHON = /^python[\d.]*$/;
/** Interpreters and the flag that hands them a script on the command line. */
const INLINE_FLAGS: Record<string, readonly string[]> = {
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  bun: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
  python: ['-c'],
};
const DOWNLOADERS = /\b(curl|wget|fetch|aria2c|http|https|nc|ncat)\b/;
const DECODERS = /\b(base64|base32|xxd|openssl|uudecode|gunzip|zcat|xz|bzip2|rev|tr)\b/;
/** What deletes files in the languages the agent runs inline. */
const DELETES_IN_CODE =
  /\b(rmtree|os\.(remove|unlink|rmdir|removedirs)|rmSync|rmdirSync|unlinkSync|fs\.(rm|rmdir|unlink)|promises\.(rm|rmdir|unlink)|FileUtils\.rm\w*|File\.delete|Dir\.delete|unlink|rm_rf)\b|\.(unlink|rmdir|rm)\(|\brm\s+-/;
/** What starts other programs in those languages: the classifier cannot see what they run. */
const RUNS_COMMANDS =
  /\b(subprocess|os\.system|os\.popen|os\.exec\w*|child_process|execSync|spawnSync|system|exec|popen|Deno\.Command|Bun\.spawn)\b/;
/** Perl, Ruby and PHP run what is between backticks. */
const BACKTICKS_RUN = new Set(['perl', 'ruby', 'php']);
/** A `.env` file (`.env`, `.env.local`), but not the examples committed beside one. */
export const ENV_FILE = /^\.env(\.(?!example$|sample$|template$|dist$)[\w.-]+)?$/;

/** Options of wrapper commands that take a value as the next word. */
const WRAPPERS: Record<string, ReadonlySet<string>> = {
  sudo: new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '-c']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '--unset', '--chdir']),
  nice: new Set(['-n', '--adjustment']),
  ionice: new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata']),
  timeout: new Set(['-s', '-k', '--signal', '--kill-after']),
  stdbuf: new Set(['-i', '-o', '-e']),
  xargs: new Set(['-I', '-n', '-P', '-d', '-L', '-s', '-E', '-e', '-a', '--delimiter']),
  nohup: new Set(),
  time: new Set(['-f', '-o']),
  command: new Set(),
  builtin: new Set(),
  exec: new Set(['-a']),
  chronic: new Set(),
  setsid: new Set(),
  unbuffer: new Set(),
};
/** `timeout 10 cmd`: the duration comes before the command. */
const LEADING_VALUE = new Set(['timeout']);

/**
 * Why a shell command is high risk, in a few words for the phone, or null when it is ordinary.
 * The command is parsed as Bash and every simple command in it is judged: those joined by
 * `&&`, `;`, `|` or new lines, in subshells, functions, command and process substitutions, and
 * in the scripts handed to `sh -c`, `eval`, `env -S`, `xargs`, `find -exec` and the like, with
 * quoting and escapes undone first. What the classifier cannot see through is high risk too.
 */
export function shellRisk(command: string, policy: ShellRiskPolicy, parse: Parse): string | null {
  const reasons: string[] = [];
  new Judge(policy, parse, reasons).script(command, 0);
  return reasons[0] ?? null;
}

class Judge {
  constructor(
    private readonly policy: ShellRiskPolicy,
    private readonly parse: Parse,
    private readonly reasons: string[],
  ) {}

  /** A whole script; `depth` bounds scripts inside scripts. */
  script(text: string, depth: number): void {
    if (depth > 8) return this.flag('nests scripts too deeply to check');
    const root = this.parse(text);
    if (root.hasError) return this.flag('cannot be parsed, so it cannot be checked');
    this.walk(root, depth);
  }

  private flag(reason: string): void {
    this.reasons.push(reason);
  }

  private walk(node: ShellNode, depth: number): void {
    if (node.type === 'command') this.command(node, depth);
    if (node.type === 'pipeline') this.pipeline(node);
    if (node.type === 'file_redirect') this.redirect(node);
    for (const child of node.namedChildren) if (child) this.walk(child, depth);
  }

  private command(node: ShellNode, depth: number): void {
    const words = this.wordsOf(node);
    if (!words) return; // only assignments
    const redirects = [...node.childrenForFieldName('redirect'), ...outerRedirects(node)];
    this.simple(words, redirects, depth);
  }

  /** A command node's name and arguments as words; undefined when it has no name. */
  private wordsOf(command: ShellNode): Word[] | undefined {
    const nameNode = command.childForFieldName('name');
    if (!nameNode) return undefined;
    const words = [this.word(nameNode.namedChild(0) ?? nameNode)];
    for (const arg of command.childrenForFieldName('argument')) if (arg) words.push(this.word(arg));
    return words;
  }

  /** One simple command, as words: unwraps `sudo`, `env` and the like, then judges what runs. */
  private simple(all: Word[], redirects: (ShellNode | null)[], depth: number): void {
    const words = this.unwrap(all, depth);
    if (!words || words.length === 0) return;
    const [head, ...args] = words;
    if (head.dynamic) return this.flag('runs a command whose name is only known when it runs');
    const name = basename(head.text);
    this.listed(name, args);
    for (const arg of args) this.path(arg.text, arg.dynamic);
    if (SHELLS.has(name)) return this.shell(args, redirects, depth);
    if (name === 'eval') return this.eval(args, depth);
    if (name === 'source' || name === '.') return this.scriptFrom(args);
    const inline = inlineFlags(name);
    if (inline) return this.inline(name, inline, args);
    switch (name) {
      case 'rm':
        return this.rm(args);
      case 'rmdir':
      case 'unlink':
        return this.outside(args, 'deletes outside the project');
      case 'find':
        return this.find(args, redirects, depth);
      case 'git':
        return this.git(args);
      case 'chmod':
      case 'chown':
      case 'chgrp':
        return this.recursiveOwnership(name, args);
    }
  }

  /** The words of the command a wrapper runs; undefined when it runs none that can be seen. */
  private unwrap(words: Word[], depth: number): Word[] | undefined {
    let rest = words;
    for (let guard = 0; guard < 10 && rest.length > 0; guard++) {
      const name = rest[0].dynamic ? '' : basename(rest[0].text);
      if (!Object.hasOwn(WRAPPERS, name)) return rest;
      const valued = WRAPPERS[name];
      if (name === 'command' && rest.slice(1).some((w) => /^-[vV]+$/.test(w.text))) return;
      let i = 1;
      while (i < rest.length) {
        const word = rest[i].text;
        if (word === '--') {
          i++;
          break;
        }
        if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
          i++;
          continue;
        }
        if (name === 'env' && (word === '-S' || word === '--split-string')) {
          const split = rest[i + 1];
          if (!split || split.dynamic)
            return this.flagged('runs a command only known when it runs');
          this.script(split.text, depth + 1);
          return;
        }
        if (!word.startsWith('-') || word === '-') break;
        i += valued.has(word) ? 2 : 1;
      }
      if (LEADING_VALUE.has(name)) i++;
      rest = rest.slice(i);
    }
    return rest;
  }

  private flagged(reason: string): undefined {
    this.flag(reason);
    return undefined;
  }

  /** The configured high-risk list: `dd`, `mkfs` (and `mkfs.ext4`), `terraform destroy`. */
  private listed(name: string, args: Word[]): void {
    for (const entry of this.policy.highRiskCommands) {
      const [first, ...more] = entry.split(/\s+/).filter(Boolean);
      if (!first || (name !== first && !name.startsWith(`${first}.`))) continue;
      if (more.every((word, i) => args[i]?.text === word)) {
        this.flag(`is on the high-risk list (${entry})`);
      }
    }
  }

  private shell(args: Word[], redirects: (ShellNode | null)[], depth: number): void {
    const options = leadingOptions(args);
    const runsString = options.some((o) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(o.text));
    const operands = args.slice(options.length);
    if (runsString) {
      const script = operands[0];
      if (!script) return;
      if (script.dynamic) return this.flag(dynamicScript(script));
      return this.script(script.text, depth + 1);
    }
    if (operands[0]?.node?.type === 'process_substitution') return this.scriptFrom(operands);
    // Reading its script from a here-document or here-string: that text is the script.
    for (const redirect of redirects) {
      const body = redirect && hereText(redirect);
      if (body === undefined) continue;
      if (body === null) return this.flag('runs a script only known when it runs');
      this.script(body, depth + 1);
    }
  }

  private eval(args: Word[], depth: number): void {
    if (args.some((a) => a.dynamic))
      return this.flag('evaluates a variable, which cannot be checked');
    this.script(args.map((a) => a.text).join(' '), depth + 1);
  }

  /** `source <(curl …)`, `bash <(curl …)`: the output of another command runs as a script. */
  private scriptFrom(args: Word[]): void {
    const from = args.find((a) => a.node?.type === 'process_substitution');
    if (!from?.node) return;
    this.flag(
      DOWNLOADERS.test(from.node.text)
        ? 'runs a downloaded script'
        : 'runs the output of another command as a script',
    );
  }

  private inline(name: string, flags: readonly string[], args: Word[]): void {
    const at = args.findIndex((a) => flags.includes(a.text));
    const code = at >= 0 ? args[at + 1] : undefined;
    if (!code) return;
    if (code.dynamic) return this.flag(`runs an inline ${name} script only known when it runs`);
    if (DELETES_IN_CODE.test(code.text))
      return this.flag('runs an inline script that deletes files');
    if (RUNS_COMMANDS.test(code.text) || (BACKTICKS_RUN.has(name) && code.text.includes('`'))) {
      return this.flag('runs an inline script that starts other commands');
    }
    const mentioned = this.policy.protectedPaths.find((p) => mentions(code.text, p, this.policy));
    if (mentioned) this.flag(touches(mentioned));
  }

  private rm(args: Word[]): void {
    const flags = optionLetters(args);
    const recursive = flags.has('r') || flags.has('R') || flags.has('recursive');
    const force = flags.has('f') || flags.has('force');
    if (recursive) return this.flag('deletes a folder recursively');
    if (force) return this.flag('force-deletes files');
    this.outside(args, 'deletes outside the project');
  }

  private find(args: Word[], redirects: (ShellNode | null)[], depth: number): void {
    if (args.some((a) => a.text === '-delete')) return this.flag('deletes the files find matches');
    for (let i = 0; i < args.length; i++) {
      if (!/^-(exec|execdir|ok|okdir)$/.test(args[i].text)) continue;
      const end = args.findIndex((a, j) => j > i && (a.text === ';' || a.text === '+'));
      this.simple(args.slice(i + 1, end < 0 ? undefined : end), redirects, depth);
    }
  }

  private git(args: Word[]): void {
    let i = 0;
    while (i < args.length && args[i].text.startsWith('-')) {
      i += ['-C', '-c', '--git-dir', '--work-tree', '--namespace'].includes(args[i].text) ? 2 : 1;
    }
    const sub = args[i]?.text;
    const rest = args.slice(i + 1);
    const flags = optionLetters(rest);
    const has = (...names: string[]) => names.some((n) => flags.has(n));
    if (sub === 'push') {
      const forced =
        has('f', 'force', 'force-with-lease', 'force-if-includes', 'mirror') ||
        rest.some((a) => a.text.startsWith('+') || a.text.startsWith('--force'));
      if (forced) this.flag('force-pushes, rewriting history on the remote');
      else if (has('d', 'delete') || rest.some((a) => a.text.startsWith(':'))) {
        this.flag('deletes a branch on the remote');
      }
    }
    if (sub === 'reset' && has('hard')) this.flag('discards uncommitted work (git reset --hard)');
    if (sub === 'clean' && has('f', 'force')) this.flag('deletes untracked files (git clean)');
    if (sub === 'branch' && flags.has('D')) this.flag('deletes a branch that may not be merged');
    if (sub === 'checkout' && has('f', 'force'))
      this.flag('discards uncommitted work (checkout --force)');
  }

  private recursiveOwnership(name: string, args: Word[]): void {
    const flags = optionLetters(args);
    if (!flags.has('R') && !flags.has('recursive')) return;
    const targets = args.filter((a) => !a.text.startsWith('-')).slice(1);
    if (targets.some((t) => t.dynamic || !this.inside(t.text))) {
      this.flag(
        `changes ${name === 'chmod' ? 'permissions' : 'owners'} recursively outside the project`,
      );
    }
  }

  /** Arguments and redirect targets that name credentials, `.env` files or the daemon's data. */
  private path(text: string, dynamic: boolean): void {
    for (const candidate of pathCandidates(text)) {
      const name = basename(candidate);
      const agentTemp = this.policy.agentTemp;
      if (!dynamic && agentTemp && within(this.absolute(candidate), agentTemp)) continue;
      if (ENV_FILE.test(name)) return this.flag('touches a .env file');
      const hit = this.policy.protectedPaths.find((p) =>
        dynamic ? mentions(candidate, p, this.policy) : within(this.absolute(candidate), p.path),
      );
      if (hit) return this.flag(touches(hit));
    }
  }

  private redirect(node: ShellNode): void {
    const target = node.childForFieldName('destination');
    if (!target) return;
    const word = this.word(target);
    this.path(word.text, word.dynamic);
    const writes = !/^\s*(\d*)<(?!<)/.test(node.text) && !/^\s*\d*>&/.test(node.text);
    if (!writes || word.text.startsWith('/dev/') || /^\d+$/.test(word.text)) return;
    const temp = this.policy.tempPaths.some((t) => within(this.absolute(word.text), t));
    if (!temp && (word.dynamic || !this.inside(word.text))) this.flag('writes outside the project');
  }

  private outside(args: Word[], reason: string): void {
    const targets = args.filter((a) => !a.text.startsWith('-'));
    if (targets.some((t) => !t.dynamic && !this.inside(t.text))) this.flag(reason);
  }

  private pipeline(node: ShellNode): void {
    const members = node.namedChildren.filter((c): c is ShellNode => !!c && c.type !== 'comment');
    // `cat <<EOF | sh`: the here-document's command feeds every member of this pipeline.
    const fedFromOutside = node.parent?.type === 'heredoc_redirect';
    members.forEach((member, i) => {
      if (i === 0 && !fedFromOutside) return;
      const command = member.type === 'redirected_statement' ? member.namedChild(0) : member;
      if (!command || command.type !== 'command' || !this.readsScriptFromInput(command)) return;
      const upstream = fedFromOutside
        ? (node.parent?.parent?.text ?? '')
        : members
            .slice(0, i)
            .map((m) => m.text)
            .join(' | ');
      this.flag(
        DOWNLOADERS.test(upstream)
          ? 'runs a downloaded script'
          : DECODERS.test(upstream)
            ? 'runs a decoded payload'
            : 'runs piped text as a script',
      );
    });
  }

  /** A shell or interpreter given no script of its own: it runs what it reads. */
  private readsScriptFromInput(command: ShellNode): boolean {
    const words = this.wordsOf(command);
    const unwrapped = words && this.unwrap(words, 0);
    if (!unwrapped?.length) return false;
    const [head, ...args] = unwrapped;
    const name = basename(head.text);
    if (!SHELLS.has(name) && !inlineFlags(name)) return false;
    const options = leadingOptions(args);
    if (options.some((o) => /^-[a-zA-Z]*[ce][a-zA-Z]*$/.test(o.text) || o.text === '--eval')) {
      return false; // runs the script on its command line, judged as such
    }
    const operands = args.slice(options.length);
    return (
      operands.length === 0 || operands[0].text === '-' || options.some((o) => o.text === '-s')
    );
  }

  private inside(path: string): boolean {
    return within(this.absolute(path), this.policy.projectPath);
  }

  private absolute(path: string): string {
    return resolve(this.policy.projectPath, expandHome(path, this.policy.home));
  }

  /** A word's value with quoting undone; expansions other than `$HOME` make it dynamic. */
  private word(node: ShellNode): Word {
    switch (node.type) {
      case 'word':
        return { text: node.text.replace(/\\(.)/gs, '$1'), dynamic: false, node };
      case 'number':
        return { text: node.text, dynamic: false, node };
      case 'raw_string':
        return { text: node.text.slice(1, -1), dynamic: false, node };
      case 'ansi_c_string':
        return { text: ansiC(node.text.slice(2, -1)), dynamic: false, node };
      case 'simple_expansion':
      case 'expansion': {
        const home = /^\$\{?HOME\}?$/.test(node.text);
        return { text: home ? this.policy.home : node.text, dynamic: !home, node };
      }
      case 'string':
      case 'concatenation': {
        let text = '';
        let dynamic = false;
        for (const part of node.namedChildren) {
          if (!part) continue;
          const value =
            part.type === 'string_content'
              ? { text: part.text.replace(/\\([$`"\\\n])/g, '$1'), dynamic: false }
              : this.word(part);
          text += value.text;
          dynamic ||= value.dynamic;
        }
        return { text, dynamic, node };
      }
      default:
        return { text: node.text, dynamic: true, node };
    }
  }
}

/** `sh <<EOF … EOF` and `sh <<< '…'`: the text fed in, null when it has expansions. */
function hereText(redirect: ShellNode): string | null | undefined {
  if (redirect.type === 'heredoc_redirect') {
    const body = redirect.namedChildren.find((c) => c?.type === 'heredoc_body');
    if (!body) return undefined;
    const quoted = /['"\\]/.test(
      redirect.namedChildren.find((c) => c?.type === 'heredoc_start')?.text ?? '',
    );
    return !quoted && body.namedChildren.some((c) => c && c.type !== 'heredoc_content')
      ? null
      : body.text;
  }
  if (redirect.type === 'herestring_redirect') {
    const value = redirect.namedChild(0);
    if (!value) return undefined;
    if (/\$|`/.test(value.text) && value.type !== 'raw_string') return null;
    return value.type === 'raw_string' ? value.text.slice(1, -1) : value.text.replace(/^"|"$/g, '');
  }
  return undefined;
}

/** Redirections written after the command (`cmd > file`), which belong to its statement. */
function outerRedirects(command: ShellNode): (ShellNode | null)[] {
  const parent = command.parent;
  if (parent?.type !== 'redirected_statement') return [];
  return parent.childrenForFieldName('redirect');
}

/** Option words before the first operand (`--` ends them). */
function leadingOptions(args: Word[]): Word[] {
  const options: Word[] = [];
  for (const arg of args) {
    if (arg.text === '--' || !arg.text.startsWith('-') || arg.text === '-') break;
    options.push(arg);
  }
  return options;
}

/** Every option given, anywhere before `--`: short letters one by one, long ones by name. */
function optionLetters(args: Word[]): Set<string> {
  const flags = new Set<string>();
  for (const arg of args) {
    const text = arg.text;
    if (text === '--') break;
    if (text.startsWith('--')) flags.add(text.slice(2).split('=')[0]);
    else if (/^-[A-Za-z]+$/.test(text)) for (const letter of text.slice(1)) flags.add(letter);
  }
  return flags;
}

function inlineFlags(name: string): readonly string[] | undefined {
  if (PYTHON.test(name)) return INLINE_FLAGS.python;
  return Object.hasOwn(INLINE_FLAGS, name) ? INLINE_FLAGS[name] : undefined;
}

/** The paths a word may name: itself, after `=` (`--file=~/.ssh/x`), after `@` (`-d @.env`). */
function pathCandidates(text: string): string[] {
  const candidates = [text];
  const eq = text.indexOf('=');
  if (eq >= 0) candidates.push(text.slice(eq + 1));
  if (text.startsWith('@')) candidates.push(text.slice(1));
  return candidates.filter(Boolean);
}

/** Whether text (code, or a word with expansions) names the protected path. */
function mentions(text: string, path: ProtectedPath, policy: ShellRiskPolicy): boolean {
  const spelled = [path.path];
  if (within(path.path, policy.home)) {
    const rel = relative(policy.home, path.path);
    spelled.push(`~/${rel}`, `$HOME/${rel}`, `\${HOME}/${rel}`, `/${rel}`);
  }
  return spelled.some((s) => text.includes(s));
}

function touches(path: ProtectedPath): string {
  return `touches ${path.name}`;
}

function dynamicScript(script: Word): string {
  return DOWNLOADERS.test(script.text)
    ? 'runs a downloaded script'
    : 'runs a script only known when it runs';
}

/** `$'…'` escapes. */
function ansiC(body: string): string {
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
  };
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e.startsWith('x')) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return simple[e] ?? e;
  });
}

import { readFileSync } from 'node:fs';
import type { Node, Parser, Tree } from 'web-tree-sitter';

export type { Node as ShellNode };

let loading: Promise<Parser> | undefined;

/**
 * tree-sitter's Bash grammar (WebAssembly), loaded on the first command to classify rather than
 * at start-up. The same parser serves every later call: parsing is synchronous once it is loaded.
 */
function bashParser(): Promise<Parser> {
  loading ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
    const treeSitter = require('web-tree-sitter') as typeof import('web-tree-sitter');
    // Both WebAssembly files are read here and handed over as bytes: left to itself, the library
    // would load them through a dynamic import, which jest's module loader cannot run.
    const wasm = (file: string) => readFileSync(require.resolve(file));
    await treeSitter.Parser.init({ wasmBinary: wasm('web-tree-sitter/web-tree-sitter.wasm') });
    const bash = await treeSitter.Language.load(wasm('tree-sitter-bash/tree-sitter-bash.wasm'));
    const parser = new treeSitter.Parser();
    parser.setLanguage(bash);
    return parser;
  })();
  return loading;
}

/**
 * Parses shell scripts with Bash's grammar. `use` gets each script's syntax tree; the trees are
 * freed (they live in WebAssembly memory) once it returns.
 */
export async function withShellParser<T>(use: (parse: (script: string) => Node) => T): Promise<T> {
  const parser = await bashParser();
  const trees: Tree[] = [];
  try {
    return use((script) => {
      const tree = parser.parse(script);
      if (!tree) throw new Error('the shell parser gave no tree');
      trees.push(tree);
      return tree.rootNode;
    });
  } finally {
    for (const tree of trees) tree.delete();
  }
}

/**
 * The import-direction check (.dependency-cruiser.cjs, `npm run check:imports`, part of `npm test`) run on a
 * small tree written for the test: it must refuse each import against the layers of docs/ARCHITECTURE.md and
 * accept the same tree without it. The real tree is checked by `npm test` itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (path → source) under a fresh directory with a tsconfig like the repository's. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-direction-'));
  dirs.push(dir);
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' },
    }),
    'src/wire/message.ts': 'export const message = 1;\n',
    'src/shared/text.ts': 'export const text = 1;\n',
    'src/server/turn/engine.ts':
      "import { message } from '../../wire/message.js';\nexport const engine = message;\n",
    ...files,
  };
  for (const [path, source] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

/** Runs the check in `dir`: its exit code and what it printed. */
function check(dir: string): Promise<{ code: number; output: string }> {
  const roots = ['src', 'test', 'bench'].filter((root) => existsSync(join(dir, root)));
  return new Promise((resolve) => {
    execFile(DEPCRUISE, [...roots, '--config', CONFIG], { cwd: dir }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('import direction', () => {
  it('accepts imports that point down the layers', async () => {
    const dir = tree({
      'src/client/probe.ts': "import { message } from '../wire/message.js';\nexport const probe = message;\n",
      'test/a.test.ts': "import { engine } from '../src/server/turn/engine.js';\nexport const a = engine;\n",
      'src/web/page/share-link.ts': 'export const share = 1;\n',
      'src/web/admin/ui/open.ts':
        "import { share } from '../../page/share-link.js';\nexport const o = share;\n",
    });
    const { code, output } = await check(dir);
    expect(output).toContain('no dependency violations');
    expect(code).toBe(0);
  });

  it('refuses each import against the layers, naming the rule and the file', async () => {
    const wrong: [rule: string, path: string, source: string][] = [
      [
        'client-apart-from-server',
        'src/client/probe.ts',
        "import { engine } from '../server/turn/engine.js';\n",
      ],
      ['wire-below-everything', 'src/wire/bad.ts', "import { engine } from '../server/turn/engine.js';\n"],
      [
        'shared-runs-in-browsers',
        'src/shared/bad.ts',
        "import { isIP } from 'node:net';\nexport const f = isIP;\n",
      ],
      [
        'only-cli-imports-cli',
        'src/server/bad.ts',
        "import { x } from '../cli/config/x.js';\nexport const y = x;\n",
      ],
      ['test-not-bench', 'test/bad.test.ts', "import { b } from '../bench/b.js';\nexport const y = b;\n"],
      [
        'exporter-is-a-prober',
        'src/exporter/bad.ts',
        "import { engine } from '../server/turn/engine.js';\nexport const y = engine;\n",
      ],
      [
        'only-cli-imports-exporter',
        'src/web/server/bad.ts',
        "import { e } from '../../exporter/e.js';\nexport const y = e;\n",
      ],
      [
        'admin-ui-is-browser-code',
        'src/web/admin/ui/bad.ts',
        "import { run } from '../../page/ui/run.js';\nexport const y = run;\n",
      ],
      [
        'admin-ui-has-no-node',
        'src/web/admin/ui/bad-node.ts',
        "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n",
      ],
      [
        'admin-server-apart-from-ui',
        'src/web/admin/server/bad.ts',
        "import { ui } from '../ui/ui.js';\nexport const y = ui;\n",
      ],
    ];
    const dir = tree({
      ...Object.fromEntries(wrong.map(([, path, source]) => [path, source])),
      'src/cli/config/x.ts': 'export const x = 1;\n',
      'src/exporter/e.ts': 'export const e = 1;\n',
      'bench/b.ts': 'export const b = 1;\n',
      'src/web/page/ui/run.ts': 'export const run = 1;\n',
      'src/web/admin/ui/ui.ts': 'export const ui = 1;\n',
    });
    const { code, output } = await check(dir);
    for (const [rule, path] of wrong) expect(output).toContain(`error ${rule}: ${path}`);
    expect(code).not.toBe(0);
  });
});

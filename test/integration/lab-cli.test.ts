import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LAB_NATS } from '../../src/lab/lab-nats.js';

// `ice-doctor lab` before it builds anything: the --nat list, usage errors, and the polite refusal of a
// user who is not root (run as `nobody` through setpriv when this test runs as root; skipped otherwise).

const run = promisify(execFile);
const CLI = 'dist/cli.js';
const NAMES = Object.keys(LAB_NATS);

async function cli(args: string[], prefix: string[] = []) {
  const [cmd, ...pre] = prefix.length > 0 ? prefix : [process.execPath];
  const argv = prefix.length > 0 ? [...pre, process.execPath, CLI, ...args] : [CLI, ...args];
  try {
    const { stdout, stderr } = await run(cmd as string, argv, { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function hasSetpriv(): boolean {
  try {
    accessSync('/usr/bin/setpriv', constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const AS_NOBODY = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const canDropRoot = process.getuid?.() === 0 && hasSetpriv();

describe('ice-doctor lab: arguments', () => {
  it('lab list and lab --list print every --nat name, one a line', async () => {
    for (const args of [
      ['lab', 'list'],
      ['lab', '--list'],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(NAMES);
    }
  });

  it('--help lists each network with its description', async () => {
    const r = await cli(['lab', '--help']);
    expect(r.code).toBe(0);
    for (const [name, plan] of Object.entries(LAB_NATS))
      expect(r.stdout).toMatch(
        new RegExp(`^  ${name} +${plan.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
  });

  it.each([
    [['lab', '--nat', 'carrier']],
    [['lab', 'run', '--nat', 'carrier', '--', 'true']],
    [['lab']],
    [['lab', 'run', '--', 'true']],
  ])('%j: exit 2, one line naming --nat and every accepted value, then the help hint', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ice-doctor: --nat: /);
    expect(lines[0]).toContain(`one of ${NAMES.join(', ')}`);
    expect(lines[1]).toMatch(/ lab( run)? --help' for usage\.$/);
  });
});

describe.skipIf(!canDropRoot)('ice-doctor lab: refused without root', () => {
  it.each([[['lab', '--nat', 'symmetric']], [['lab', 'run', '--nat', 'symmetric', '--', 'true']]])(
    '%j as nobody: exit 2, one line naming root, no stack',
    async (args) => {
      const r = await cli(args, AS_NOBODY);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        'ice-doctor: the lab needs root: it creates network namespaces, links and firewall rules (try: sudo ice-doctor lab …)',
      ]);
    },
  );
});

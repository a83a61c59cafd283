import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 11 §6: every command the output tells the user to run works as printed — after the README's Quick
// start (`npm install && npm start` in the checkout: no `ice-doctor` on PATH) and from another directory.

const run = promisify(execFile);
const CLI = resolve('dist/cli.js');
const REPO = resolve('.');
const outside = mkdtempSync(`${tmpdir()}/icd-printed-`);
/** PATH without any directory holding an `ice-doctor` (as after `npm install`, nothing is linked). */
const PATH = (process.env.PATH ?? '')
  .split(':')
  .filter((d) => !d.includes('node_modules'))
  .join(':');

afterAll(() => rmSync(outside, { recursive: true, force: true }));

async function sh(command: string, cwd: string) {
  try {
    const { stdout, stderr } = await run('sh', ['-c', command], {
      cwd,
      env: { ...process.env, PATH },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The commands a text tells the user to run: what it puts between backticks. */
const suggested = (text: string): string[] => [
  ...new Set([...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)),
];

describe.each([
  ['in the checkout (README Quick start)', REPO, 'npx ice-doctor'],
  ['from another directory', outside, `node ${CLI}`],
])('printed commands work as printed, %s', (_where, cwd, expected) => {
  it('the main job suggests commands that run', async () => {
    const r = await sh(`ICE_DOCTOR_STUN_SERVERS=stun:unreachable.invalid node ${CLI} --timeout 2000`, cwd);
    expect(r.code, r.stderr).toBe(0);
    const commands = suggested(r.stdout);
    expect(commands).toEqual([`${expected} serve`, `${expected} probe --help`]);
    for (const c of commands) {
      // `serve` itself would listen on the default ports: its --help proves it is found and parses.
      const printed = c.endsWith('--help') ? c : `${c} --help`;
      const out = await sh(printed, cwd);
      expect(out.code, `${printed}: ${out.stderr}`).toBe(0);
      expect(out.stdout).toMatch(/^Usage: /);
    }
    // Three process starts, two through npx: 30 s ran out once with the load average at 12–15.
  }, 90_000);

  it('help examples and usage errors name the same invocation, and it runs', async () => {
    const help = await sh(`node ${CLI} probe --help`, cwd);
    expect(help.stdout).toContain(`Usage: ${expected} probe`);
    expect(help.stdout).toContain(`\n  ${expected} probe stun:stun.example.org`);
    const wrong = await sh(`node ${CLI} prob`, cwd);
    expect(wrong.stderr).toContain(`Run '${expected} --help' for usage.`);
    const version = await sh(`${expected} --version`, cwd);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { invocation } from '../../src/cli/invocation.js';
import { nearestCommand } from '../../src/cli/suggest.js';

const root = mkdtempSync(join(tmpdir(), 'icd-invocation-'));
const pkg = join(root, 'pkg');
const script = join(pkg, 'dist', 'cli.js');
mkdirSync(join(pkg, 'dist'), { recursive: true });
writeFileSync(join(pkg, 'package.json'), '{"name":"ice-doctor"}');
writeFileSync(script, '');
const globalBin = join(root, 'bin');
const npmBin = join(root, 'project', 'node_modules', '.bin');
for (const dir of [globalBin, npmBin]) {
  mkdirSync(dir, { recursive: true });
  symlinkSync(script, join(dir, 'ice-doctor'));
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('invocation: how to run this CLI again from the shell', () => {
  it('ice-doctor when that name on PATH is this script (global install, npm link)', () => {
    expect(invocation({ script, cwd: root, path: `/nonexistent:${globalBin}` })).toBe('ice-doctor');
  });

  it('not from a node_modules/.bin that npm puts on PATH only for its children', () => {
    expect(invocation({ script, cwd: root, path: npmBin })).toBe('node pkg/dist/cli.js');
  });

  it('npx ice-doctor inside the package (the README Quick start), node <path> elsewhere', () => {
    expect(invocation({ script, cwd: pkg, path: '' })).toBe('npx ice-doctor');
    expect(invocation({ script, cwd: join(pkg, 'dist'), path: '' })).toBe('npx ice-doctor');
    expect(invocation({ script, cwd: root, path: '' })).toBe('node pkg/dist/cli.js');
    expect(invocation({ script, cwd: join(root, 'bin'), path: '' })).toBe(`node ${script}`);
  });

  it('a script outside a package named ice-doctor: node and the path relative to the working directory', () => {
    const other = join(root, 'other.js');
    writeFileSync(other, '');
    expect(invocation({ script: other, cwd: root, path: '' })).toBe('node other.js');
    const spaced = join(root, 'with space.js');
    writeFileSync(spaced, '');
    expect(invocation({ script: spaced, cwd: pkg, path: '' })).toBe(`node '${spaced}'`);
  });
});

describe('nearestCommand', () => {
  const names = ['probe', 'serve', 'turn-check', 'help'];
  it.each([
    ['prob', 'probe'],
    ['porbe', 'probe'],
    ['serv', 'serve'],
    ['turncheck', 'turn-check'],
    ['turn', 'turn-check'],
    ['hlep', 'help'],
    ['frobnicate', null],
    ['x', null],
  ])('%s → %s', (word, expected) => {
    expect(nearestCommand(word, names)).toBe(expected);
  });
});

// `npm install` on the Node version the README names must print no EBADENGINE warning (issue 11 §6): every
// package the lock file installs here must accept this Node in its `engines.node`. puppeteer-core 25 asked for
// Node ≥ 22.12 and failed this on Node 20; CI runs the suite on the machine's Node, so the check follows it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface LockPackage {
  engines?: { node?: string } | string[];
  optional?: boolean;
}

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockPackage>;
};

describe('package engines', () => {
  it('the README names Node ≥ 20 and package.json says the same', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/Node\.js ≥ 20/);
  });

  it(`every installed package accepts this Node (${process.version}) in engines.node`, () => {
    const refused: string[] = [];
    let checked = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '' || !existsSync(join(ROOT, path))) continue;
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      checked++;
      if (range && !semver.satisfies(process.version, range, { includePrerelease: true }))
        refused.push(`${path} wants node ${range}`);
    }
    expect(checked).toBeGreaterThan(100);
    expect(refused).toEqual([]);
  });
});

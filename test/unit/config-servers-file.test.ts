import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicServers, readServersFile } from '../../src/cli/config/probe-flags.js';
import { DEFAULT_PUBLIC_SERVERS } from '../../src/client/nat-probe/default-servers.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'servers-')), 'servers.txt');
  writeFileSync(path, text);
  return path;
}

describe('--servers-file and the server list', () => {
  it('reads one URL per line, skipping blank lines and # comments', () => {
    const path = file('# RFC 5780 first\n\nstun:198.51.100.1:3478  # mine\r\nstuns:turn.example.org\n');
    expect(readServersFile(path)).toEqual(['stun:198.51.100.1:3478', 'stuns:turn.example.org']);
  });

  it('a file without any URL is a ConfigError naming the flag', () => {
    expect(() => readServersFile(file('# nothing\n'))).toThrow(/--servers-file .*: no STUN URL in it/);
  });

  it('command-line URLs then the file replace the environment and the defaults', () => {
    const path = file('stun:198.51.100.2\n');
    const env = { ICE_DOCTOR_STUN_SERVERS: 'stun:203.0.113.9' };
    expect(publicServers(['stun:198.51.100.1'], env, path)).toEqual([
      'stun:198.51.100.1',
      'stun:198.51.100.2',
    ]);
    expect(publicServers(undefined, env)).toEqual(['stun:203.0.113.9']);
    expect(publicServers(undefined, {})).toEqual([...DEFAULT_PUBLIC_SERVERS]);
  });

  it('the defaults hold several servers and not the retired stun.stunprotocol.org', () => {
    expect(DEFAULT_PUBLIC_SERVERS.length).toBeGreaterThanOrEqual(6);
    expect(DEFAULT_PUBLIC_SERVERS.join(' ')).not.toMatch(/stunprotocol/);
  });
});

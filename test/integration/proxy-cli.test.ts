import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `--proxy` and HTTPS_PROXY on the command line (dist/cli.js): a bad proxy URL is a usage error (exit 2)
// naming the flag or variable and the accepted form, before anything is sent; the password never appears.

const run = promisify(execFile);

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/cli.js', ...args], {
      env: { ...process.env, HTTPS_PROXY: '', https_proxy: '', ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const TURN = ['turn-check', 'turns:127.0.0.1:443', '--user', 'u', '--password', 'p'];
const ACCEPTED = '(accepted: http://host:port or http://user:password@host:port)';

describe('--proxy / HTTPS_PROXY usage errors', () => {
  it.each([
    [[...TURN, '--proxy', 'socks5://proxy:1080'], {}, "--proxy: 'socks5:' proxies are not supported"],
    [[...TURN, '--proxy', 'http://u:Pw-Hidden@proxy:3128/path'], {}, '--proxy: '],
    [['probe', 'stuns:127.0.0.1:443', '--proxy', 'https://proxy'], {}, "--proxy: 'https:' proxies"],
    [['probe', 'stuns:127.0.0.1:443'], { HTTPS_PROXY: 'ftp://proxy' }, "HTTPS_PROXY: 'ftp:' proxies"],
    [
      [...TURN, '--proxy', 'http://u:Pw/Hidden@proxy:3128'],
      {},
      "--proxy: 'http://***@proxy:3128' is not a URL",
    ],
    [
      ['probe', 'stuns:127.0.0.1:443'],
      { HTTPS_PROXY: 'http://u:Pw-Hidden-100%@proxy:3128' },
      "HTTPS_PROXY: the user name or password in 'http://***@proxy:3128' has a '%'",
    ],
  ])('%j %j → exit 2 naming it', async (args, env, first) => {
    const r = await cli(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(first);
    expect(r.stderr).toContain(ACCEPTED);
    expect(r.stderr).not.toContain('Pw-Hidden');
    expect(r.stdout).toBe('');
  });

  it('both commands list --proxy in --help', async () => {
    for (const cmd of ['turn-check', 'probe']) {
      const r = await cli([cmd, '--help']);
      expect(r.stdout).toMatch(/--proxy <url>\s+HTTP proxy for TCP\/TLS, tunnelled with CONNECT/);
    }
  });
});

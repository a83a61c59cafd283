/**
 * Secrets and passwords anyone could use, against `ice-doctor serve` as a child process on loopback:
 * `--auth-secret ""` (what `--auth-secret "$SECRET"` with an unset variable gives), a whitespace-only
 * secret, `ICE_DOCTOR_AUTH_SECRET` set but empty or with an empty entry, `--user a:` and a
 * whitespace-only password, and a `--page-ice-server` secret of spaces are each refused at start-up
 * (exit 2, the message names the flag or variable). When a server starts anyway, the test mints TURN REST
 * credentials from the empty secret and Allocates with them: that Allocate succeeding is the open relay
 * this guards against, and is reported as the failure. A secret shorter than 16 bytes starts, with a
 * warn-level log line (pino JSON on stderr) naming the flag.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TransportAddress } from '../../src/wire/address.js';
import { mintRestCredentials } from '../../src/wire/rest-credentials.js';
import { stopServes } from '../support/serve-process.js';
import { type RawTurnClient, statusOf } from '../support/turn-raw.js';
import { from } from './auth-server.js';
import { startHardened } from './server-process.js';
import { record } from './tally.js';

/** The pino warn-level log line (JSON on stderr) about a 12-byte secret. */
const WARNING = /^\{"level":40,.*"msg":"--auth-secret: a secret of 12 bytes, shorter than 16/m;

const sessions: RawTurnClient[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  stopServes();
});

/** The status of an Allocate signed with TURN REST credentials minted from `secret`. */
async function allocateMinted(udp: TransportAddress, secret: string): Promise<number> {
  const c = await from('127.0.0.1', udp);
  sessions.push(c);
  const minted = mintRestCredentials(secret, 'mallory', 600);
  return statusOf(await c.allocate({ username: minted.username, password: minted.password }));
}

/** One configuration that must be refused: its arguments, environment, and what the message must name. */
interface Refused {
  what: string;
  args: string[];
  env?: Record<string, string>;
  names: RegExp;
  /** The secret an attacker would mint with if the server started anyway. */
  mintWith?: string;
  /** Whether the report page is on (`--page-ice-server` is read only then). */
  report?: boolean;
}

const REFUSED: Refused[] = [
  {
    what: '--auth-secret ""',
    args: ['--auth-secret', ''],
    names: /^ice-doctor: --auth-secret: /m,
    mintWith: '',
  },
  {
    what: '--auth-secret of spaces',
    args: ['--auth-secret', '   '],
    names: /^ice-doctor: --auth-secret: /m,
    mintWith: '   ',
  },
  {
    what: 'ICE_DOCTOR_AUTH_SECRET=""',
    args: [],
    env: { ICE_DOCTOR_AUTH_SECRET: '' },
    names: /^ice-doctor: ICE_DOCTOR_AUTH_SECRET: /m,
    mintWith: '',
  },
  {
    what: 'ICE_DOCTOR_AUTH_SECRET=" "',
    args: [],
    env: { ICE_DOCTOR_AUTH_SECRET: ' ' },
    names: /^ice-doctor: ICE_DOCTOR_AUTH_SECRET: /m,
    mintWith: ' ',
  },
  {
    what: 'ICE_DOCTOR_AUTH_SECRET with an empty entry',
    args: [],
    env: { ICE_DOCTOR_AUTH_SECRET: 'a-long-enough-secret-0123456789,' },
    names: /^ice-doctor: ICE_DOCTOR_AUTH_SECRET: /m,
  },
  { what: '--user a:', args: ['--user', 'a:'], names: /^ice-doctor: --user: /m },
  { what: '--user :x', args: ['--user', ':x'], names: /^ice-doctor: --user: /m },
  { what: '--user "a:  "', args: ['--user', 'a:  '], names: /^ice-doctor: --user: /m },
  {
    what: '--page-ice-server ;secret=" "',
    args: ['--page-ice-server', 'turn:127.0.0.1:3478;secret= '],
    names: /^ice-doctor: --page-ice-server: /m,
    report: true,
  },
];

describe('secrets and passwords anyone could use', () => {
  it('are refused at start-up (exit 2, naming the flag or variable), never serving credentials minted from them', async ({
    task,
  }) => {
    const wrong: string[] = [];
    for (const r of REFUSED) {
      const s = await startHardened(r.args, { env: r.env, report: r.report });
      if (s.listening) {
        const udp = s.line.turn.udp[0]!;
        const status = r.mintWith === undefined ? null : await allocateMinted(udp, r.mintWith);
        wrong.push(
          `${r.what}: started` +
            (status === 200
              ? ', and an Allocate with credentials minted from the empty secret succeeded'
              : ''),
        );
        continue;
      }
      if (s.code !== 2) wrong.push(`${r.what}: exit ${s.code}, expected 2`);
      if (!r.names.test(s.stderr)) wrong.push(`${r.what}: message ${JSON.stringify(s.stderr.trim())}`);
    }
    record(task, {
      area: 'auth',
      check: 'empty/whitespace secret or password (flag, env, --user, page) → exit 2',
      tried: REFUSED.length,
      failures: wrong.length,
      ...(wrong[0] !== undefined && { detail: wrong[0] }),
    });
    expect(wrong).toEqual([]);
  }, 120_000);

  it('a secret shorter than 16 bytes starts with a warning naming the flag, and its credentials work', async ({
    task,
  }) => {
    const s = await startHardened(['--auth-secret', 'short-secret']);
    expect(s.listening).toBe(true);
    if (!s.listening) return;
    const status = await allocateMinted(s.line.turn.udp[0]!, 'short-secret');
    const warned = WARNING.test(await s.logged(WARNING));
    record(task, {
      area: 'auth',
      check: 'secret under 16 bytes → warning, still serves',
      tried: 2,
      failures: (warned ? 0 : 1) + (status === 200 ? 0 : 1),
      detail: `Allocate ${status}`,
    });
    expect(s.stderr()).toMatch(WARNING);
    expect(status).toBe(200);
  }, 30_000);
});

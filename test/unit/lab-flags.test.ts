import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCommand, labNatNames, parseNat } from '../../src/cli/config/lab-flags.js';
import { ConfigError } from '../../src/errors.js';
import { LAB_NATS } from '../../src/lab/lab-nats.js';
import { labEndpoints } from '../../src/lab/user-lab.js';
import type { ServeLine } from '../../src/report/serve-schema.js';

const root = mkdtempSync(join(tmpdir(), 'icd-lab-flags-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parseNat', () => {
  it('accepts every LAB_NATS name, in LAB_NATS order', () => {
    expect(labNatNames()).toEqual(Object.keys(LAB_NATS));
    for (const name of labNatNames()) expect(parseNat(name)).toBe(name);
  });

  it.each([
    [undefined, '--nat: required; one of '],
    ['carrier', "--nat: unknown network 'carrier'; one of "],
    ['toString', "--nat: unknown network 'toString'; one of "],
  ])('%s → ConfigError naming the flag and the accepted values', (value, start) => {
    expect(() => parseNat(value)).toThrow(ConfigError);
    expect(() => parseNat(value)).toThrow(`${start}${Object.keys(LAB_NATS).join(', ')}`);
  });
});

describe('findCommand (as execvp finds it)', () => {
  const bin = join(root, 'bin');
  mkdirSync(join(bin, 'a-directory'), { recursive: true });
  writeFileSync(join(bin, 'tool'), '#!/bin/sh\n');
  chmodSync(join(bin, 'tool'), 0o755);
  writeFileSync(join(bin, 'not-executable'), '');

  it('the first executable file on PATH', () => {
    expect(findCommand('tool', `/nonexistent:${bin}`)).toBe(join(bin, 'tool'));
  });

  it('a name with a slash as given', () => {
    expect(findCommand(join(bin, 'tool'), '')).toBe(join(bin, 'tool'));
    expect(findCommand(join(bin, 'missing'), bin)).toBeNull();
  });

  it('neither a directory nor a file without the execute bit', () => {
    expect(findCommand('a-directory', bin)).toBeNull();
    expect(findCommand('not-executable', bin)).toBeNull();
    expect(findCommand('no-such-tool', bin)).toBeNull();
  });
});

describe('labEndpoints', () => {
  const addr = (address: string, port: number, family: 'IPv4' | 'IPv6' = 'IPv4') => ({
    address,
    port,
    family,
  });
  const line = {
    udp: [
      addr('203.0.113.10', 3478),
      addr('203.0.113.10', 3479),
      addr('2001:db8:ff::10', 3478, 'IPv6'),
      addr('2001:db8:ff::10', 3479, 'IPv6'),
    ],
    turn: {
      urls: ['turn:203.0.113.10:3478?transport=udp', 'turns:203.0.113.10:443?transport=tcp'],
      generatedUser: { username: 'ice-doctor', password: 'pw' },
    },
    report: { url: 'http://203.0.113.10:8080/' },
  } as unknown as ServeLine;

  it('one stun: URL per family on its first UDP socket (IPv6 bracketed), the TURN URLs, the user, the page', () => {
    expect(labEndpoints(line)).toEqual({
      stun: ['stun:203.0.113.10:3478', 'stun:[2001:db8:ff::10]:3478'],
      turn: line.turn.urls,
      turnUser: { username: 'ice-doctor', password: 'pw' },
      page: 'http://203.0.113.10:8080/',
    });
  });

  it('no page with --no-report', () => {
    expect(labEndpoints({ ...line, report: null }).page).toBeNull();
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lab/coturn-turn.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { type TurnTargetReport, turnCheckReportSchema } from '../../src/report/schema.js';

/**
 * node-turn 0.0.6 (UDP only, long-term credentials) in a child process, so a crash in it cannot take the
 * test runner down; prints `ready` once its socket listens.
 */
function startNodeTurn(port: number, relayPorts: [number, number]): Promise<ChildProcess> {
  const config = {
    listeningPort: port,
    listeningIps: ['127.0.0.1'],
    relayIps: ['127.0.0.1'],
    minPort: relayPorts[0],
    maxPort: relayPorts[1],
    authMech: 'long-term',
    credentials: { alice: 'wonderland' },
    realm: 'node-turn.test',
    debugLevel: 'OFF',
  };
  const script = `
    const Turn = require('node-turn');
    const server = new Turn(${JSON.stringify(config)});
    server.start();
    server.network.sockets[0].once('listening', () => console.log('ready'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node-turn did not start in 5 s:\n${log}`)), 5000);
    child.stderr?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    child.stdout?.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node-turn exited with ${code}:\n${log}`));
    });
  });
}

const step = (t: TurnTargetReport, name: string) => t.steps.find((s) => s.name === name);

describe('turn-check against node-turn 0.0.6 (what it gets wrong, named)', () => {
  let child: ChildProcess | undefined;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    const base = 30_000 + Math.floor(Math.random() * 300) * 100;
    child = await startNodeTurn(port, [base, base + 99]);
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
  });

  it('over UDP: ChannelBind without MESSAGE-INTEGRITY, client ChannelData ignored, Refresh LIFETIME 0', async () => {
    const r = turnCheckReportSchema.parse(
      await runTurnCheck({
        targets: parseTurnTargets([`turn:127.0.0.1:${port}?transport=udp`]),
        credentials: { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' },
        insecure: false,
        timeoutMs: 8000,
      }),
    );
    const t = r.targets[0]!;
    expect(r.ok).toBe(false);
    expect(t.diagnoses.map((d) => d.code)).toEqual([
      'integrity-missing',
      'channel-data-ignored',
      'refresh-lifetime',
    ]);
    expect(t.diagnoses[0]).toMatchObject({ step: 'channel-bind' });
    // What works: authentication, both allocations, permissions, Send/Data indications both ways.
    for (const name of [
      'allocate',
      'peer-allocate',
      'create-permission',
      'send-indication',
      'peer-send-indication',
    ])
      expect(step(t, name)?.status, name).toBe('ok');
    expect(t.relayedAddress?.address).toBe('127.0.0.1');
    // ChannelBind succeeds, but without MESSAGE-INTEGRITY libwebrtc would discard it.
    expect(step(t, 'channel-bind')).toMatchObject({
      status: 'fail',
      detail: 'success — no MESSAGE-INTEGRITY',
    });
    expect(step(t, 'peer-channel-bind')?.status).toBe('fail');
    // ChannelData from the client never leaves the relay (4 sends on the RFC 8489 schedule)...
    expect(step(t, 'channel-data')).toMatchObject({ status: 'fail', sent: 4 });
    expect(step(t, 'peer-channel-data')?.detail).toMatch(/^never arrived/);
    // ... while the server does send ChannelData for a Send indication on a bound channel.
    expect(step(t, 'bound-send-indication')?.detail).toMatch(/^arrived as ChannelData/);
    expect(step(t, 'peer-bound-send-indication')?.status).toBe('ok');
    // Refresh(600) is answered with LIFETIME 0 (its max lifetime option is read under another name).
    expect(step(t, 'refresh')).toMatchObject({ status: 'fail', detail: 'lifetime 0 s' });
  });

  it('node-turn has no TCP listener: the tcp half of turn: is a closed port', async () => {
    const r = await runTurnCheck({
      targets: parseTurnTargets([`turn:127.0.0.1:${port}`]),
      credentials: { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' },
      insecure: false,
      timeoutMs: 8000,
    });
    expect(r.targets.map((t) => t.transport)).toEqual(['udp', 'tcp']);
    expect(r.targets[1]?.diagnoses.map((d) => d.code)).toEqual(['tcp-port-closed']);
  });

  it('a wrong password is wrong credentials', async () => {
    const r = await runTurnCheck({
      targets: parseTurnTargets([`turn:127.0.0.1:${port}?transport=udp`]),
      credentials: { credentials: { username: 'alice', password: 'nope' }, source: 'long-term' },
      insecure: false,
      timeoutMs: 8000,
    });
    expect(r.targets[0]?.diagnoses.map((d) => d.code)).toEqual(['wrong-credentials']);
  });
});

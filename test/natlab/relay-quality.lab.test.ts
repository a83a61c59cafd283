import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { STUN_PORT, startIceDoctorServer } from '../../lab/servers.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun, run } from '../../src/lab/exec.js';
import { loadRuleset } from '../../src/lab/guard.js';
import { applyScenario } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, IFACE, type Lab } from '../../src/lab/topology.js';
import {
  type TurnCheckReport,
  type TurnTargetReport,
  turnCheckReportSchema,
} from '../../src/report/schema.js';

// Relay quality (issue 15 §3) through a real path: turn-check in lan, behind the NAT router, against the
// bundled TURN server in pub. The router's public link gets a smaller MTU while the router drops its own ICMP
// "fragmentation needed" (a PMTUD black hole, as on many VPN/PPPoE/tunnel paths), or netem loss.
const available = await labAvailable();

/** The router's public link and pub's end of it (eth0 on pub's bridge). */
const PUB_END = 'eth0';

const HOLE = `
table inet idl_quality {
  chain output_icmp {
    type filter hook output priority filter; policy accept;
    icmp type destination-unreachable icmp code frag-needed drop
  }
}
`;

const codes = (t: TurnTargetReport | undefined): string[] => (t?.diagnoses ?? []).map((d) => d.code);

describe.skipIf(!available)('natlab: relay quality through a NAT (MTU black hole, netem loss)', () => {
  let lab: Lab;

  async function setMtu(mtu: number): Promise<void> {
    await run('ip', ['-n', lab.ns.nat, 'link', 'set', IFACE.routerPub, 'mtu', String(mtu)]);
    await run('ip', ['-n', lab.ns.pub, 'link', 'set', PUB_END, 'mtu', String(mtu)]);
  }

  /** `ice-doctor turn-check --json` from lan against the server in pub, over UDP and TCP. */
  async function turnCheck(extra: string[] = []): Promise<TurnCheckReport> {
    const url = `turn:${ADDR.pubPrimary}:${STUN_PORT}`;
    const args = [
      CLI_PATH,
      'turn-check',
      '--json',
      url,
      '--user',
      'alice',
      '--password',
      'wonderland',
      ...extra,
    ];
    const r = await nsRun(lab.ns.lan, process.execPath, args, { check: false, timeoutMs: 30_000 });
    expect(r.stdout, r.stderr).not.toBe('');
    return turnCheckReportSchema.parse(JSON.parse(r.stdout));
  }

  /**
   * Drops `percent` % of the UDP packets the router forwards from lan to pub, at random: `tc netem` when the
   * kernel has sch_netem, else nftables `numgen random` (same independent loss). Returns the undo.
   */
  async function addLoss(percent: number): Promise<() => Promise<void>> {
    const netem = [
      '-n',
      lab.ns.nat,
      'qdisc',
      'add',
      'dev',
      IFACE.routerPub,
      'root',
      'netem',
      'loss',
      `${percent}%`,
    ];
    if ((await run('tc', netem, { check: false })).code === 0)
      return async () =>
        void (await run('tc', ['-n', lab.ns.nat, 'qdisc', 'del', 'dev', IFACE.routerPub, 'root']));
    await loadRuleset(
      lab.ns.nat,
      `table inet idl_loss {
  chain forward_loss {
    type filter hook forward priority filter - 10; policy accept;
    iifname "${IFACE.routerLan}" meta l4proto udp numgen random mod 100 < ${percent} drop
  }
}`,
    );
    return async () => void (await nsRun(lab.ns.nat, 'nft', ['delete', 'table', 'inet', 'idl_loss']));
  }

  beforeAll(async () => {
    lab = await createLab();
    await startIceDoctorServer(lab, [
      '--user',
      'alice:wonderland',
      '--allow-peer',
      '203.0.113.0/24',
      '--no-report',
    ]);
    await applyScenario(lab, 'masquerade');
  }, 60_000);

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  it('a 1100-byte MTU link with ICMP "fragmentation needed" dropped: UDP black hole found and named, TCP fine', async () => {
    await setMtu(1100);
    await loadRuleset(lab.ns.nat, HOLE);
    try {
      const r = await turnCheck();
      const [udp, tcp] = r.targets;
      expect(udp?.transport).toBe('udp');
      // 1100 − 20 IP − 8 UDP − 4 ChannelData = 1068 bytes of payload fit; the finer round lands just below.
      const largest = udp?.quality?.maxDatagramBytes;
      expect(largest, JSON.stringify(udp?.quality)).not.toBeNull();
      expect(largest!).toBeGreaterThanOrEqual(1000);
      expect(largest!, JSON.stringify(udp?.quality)).toBeLessThanOrEqual(1068);
      expect(udp?.quality?.datagramSizes.find((s) => s.bytes === 1200)?.ok).toBe(false);
      expect(codes(udp)).toContain('relay-datagram-black-hole');
      expect(udp?.diagnoses.find((d) => d.code === 'relay-datagram-black-hole')?.severity).toBe('warn');
      // The stream's small probes still pass: audio works.
      expect(udp?.quality?.received).toBeGreaterThan(0);
      // TCP to the server carries every size (its segments fit the MSS); the relay's legs are inside pub.
      expect(tcp?.quality?.maxDatagramBytes).toBe(1500);
      expect(codes(tcp)).not.toContain('relay-datagram-black-hole');
    } finally {
      await nsRun(lab.ns.nat, 'nft', ['delete', 'table', 'inet', 'idl_quality']);
      await setMtu(1500);
    }
  }, 60_000);

  it('a 1280-byte MTU link (1248 bytes of payload fit, enough for WebRTC): size found, no warning', async () => {
    await setMtu(1280);
    await loadRuleset(lab.ns.nat, HOLE);
    try {
      const r = await turnCheck();
      const udp = r.targets[0];
      const largest = udp?.quality?.maxDatagramBytes;
      expect(largest, JSON.stringify(udp?.quality)).not.toBeNull();
      expect(largest!).toBeGreaterThanOrEqual(1200);
      expect(largest!).toBeLessThan(1280);
      expect(codes(udp)).not.toContain('relay-datagram-black-hole');
    } finally {
      await nsRun(lab.ns.nat, 'nft', ['delete', 'table', 'inet', 'idl_quality']);
      await setMtu(1500);
    }
  }, 60_000);

  it('20 % random loss lan → pub: loss reported roughly (two lossy crossings per echo, ~36 %), no size verdict', async () => {
    const removeLoss = await addLoss(20);
    try {
      const r = await turnCheck(['--quality-duration', '2000']);
      const udp = r.targets[0];
      expect(udp?.quality?.sent, JSON.stringify(udp)).toBe(100);
      const loss = udp?.quality?.lossPercent;
      expect(loss, JSON.stringify(udp?.quality)).not.toBeNull();
      expect(loss!).toBeGreaterThanOrEqual(10);
      expect(loss!).toBeLessThanOrEqual(70);
      expect(codes(udp)).toContain('relay-loss-high');
      expect(codes(udp)).not.toContain('relay-datagram-black-hole');
    } finally {
      await removeLoss();
    }
  }, 60_000);
});

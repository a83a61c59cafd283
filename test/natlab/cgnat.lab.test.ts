import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISP_GATEWAY_TABLE, startIspGateway } from '../../lab/isp-gateway-start.js';
import { CLI_PATH } from '../../lab/paths.js';
import { PROBE_SERVERS } from '../../lab/servers.js';
import { PROBE_URL, runIceDoctorProbe, TOOL_TIMEOUT_MS } from '../../lab/tools.js';
import { labAvailable, labRuns } from '../../src/lab/available.js';
import { nsRun, run, sleep } from '../../src/lab/exec.js';
import { applyScenario, PROBE_EXPECTED } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, IFACE, type Lab } from '../../src/lab/topology.js';
import { CGNAT_ADDR, CGNAT_IFACE } from '../../src/lab/topology-cgnat.js';
import { probeReportSchema } from '../../src/report/schema.js';

// Carrier-grade NAT and double NAT seen by port mapping (issue 16 §1, §3): `ice-doctor probe` from lan in the
// NAT444 lab, with a stand-in ISP gateway on the home router (lab/isp-gateway.ts: NAT-PMP + PCP reporting the
// router's real WAN address and mapping by nftables DNAT), as ISP boxes behind a carrier NAT do — Debian's
// miniupnpd refuses such a WAN address (test/natlab/port-mapping.lab.test.ts). Against the bundled server and
// coturn. Needs `npm run build` first (runs dist/cli.js).
const available = await labAvailable();
const runs = labRuns();

const SERVERS = PROBE_SERVERS;

/** The home router's WAN for the double-NAT case: RFC 1918, on the link between the home router and `cgn` only. */
const PRIVATE_WAN = { home: '192.168.100.2', carrier: '192.168.100.1', net: '192.168.100.0/24' } as const;

/** One answering protocol's expected row: the gateway's 100.64.0.1:5351, a mapping created and removed. */
const mapped = (protocol: 'nat-pmp' | 'pcp', externalAddress: string) => ({
  protocol,
  answered: true,
  gateway: `${ADDR.routerLan}:5351`,
  externalAddress,
  mappingCreated: true,
  mappingRemoved: true,
  rttMs: expect.any(Number),
});

/**
 * The stand-in serves no UPnP IGD: the router refuses the unicast M-SEARCH on port 1900 at once; when that
 * refusal is lost (ICMP rate limit), nothing answers SSDP — 250 ms, plus 1 s when NAT-PMP or PCP answered within
 * those 250 ms (src/client/port-mapping/first-answer.ts; on a loaded machine they may not have).
 */
const upnpSilent = {
  protocol: 'upnp-igd',
  answered: false,
  gateway: null,
  externalAddress: null,
  mappingCreated: null,
  mappingRemoved: null,
  rttMs: null,
  error: expect.stringMatching(
    /^(the gateway refused SSDP on port 1900 \(ICMP port unreachable\): nothing takes unicast searches there|no SSDP answer within (250|1250) ms)$/,
  ),
};

const CASES = [
  {
    name: 'NAT444, home router WAN 100.64.100.2 (RFC 6598)',
    privateWan: false,
    external: CGNAT_ADDR.homeWan,
    upstreamNat: 'carrier-grade-nat',
    reason: `the gateway's own external address ${CGNAT_ADDR.homeWan} is in the shared address space 100.64.0.0/10 (RFC 6598); STUN sees ${ADDR.routerPub}`,
    words: 'carrier-grade NAT',
  },
  {
    name: 'double NAT, home router WAN 192.168.100.2 (RFC 1918)',
    privateWan: true,
    external: PRIVATE_WAN.home,
    upstreamNat: 'double-nat',
    reason: `the gateway's own external address ${PRIVATE_WAN.home} is private (RFC 1918); STUN sees ${ADDR.routerPub}`,
    words: 'double NAT',
  },
] as const;

/**
 * Re-addresses the home router ↔ carrier link into {@link PRIVATE_WAN} (RFC 1918) and lets the carrier's guard
 * forward that subnet to and from pub (the guard forwards only the lab's ranges); the carrier's MASQUERADE
 * still hides it, so nothing with a 192.168 address leaves the carrier namespace.
 */
async function privateHomeWan(lab: Lab): Promise<void> {
  const cgn = lab.ns.cgn!;
  await nsRun(lab.ns.nat, 'ip', ['addr', 'flush', 'dev', IFACE.routerPub]);
  await nsRun(cgn, 'ip', ['addr', 'flush', 'dev', CGNAT_IFACE.inside]);
  await nsRun(lab.ns.nat, 'ip', ['addr', 'add', `${PRIVATE_WAN.home}/24`, 'dev', IFACE.routerPub]);
  await nsRun(cgn, 'ip', ['addr', 'add', `${PRIVATE_WAN.carrier}/24`, 'dev', CGNAT_IFACE.inside]);
  await nsRun(lab.ns.nat, 'ip', ['route', 'replace', 'default', 'via', PRIVATE_WAN.carrier]);
  for (const rule of [
    `ip saddr ${PRIVATE_WAN.net} ip daddr 203.0.113.0/24 accept`,
    `ip saddr 203.0.113.0/24 ip daddr ${PRIVATE_WAN.net} accept`,
  ])
    await nsRun(cgn, 'nft', ['insert', 'rule', 'inet', 'idl_guard', 'forward_guard', ...rule.split(' ')]);
}

describe.skipIf(!available)(
  'natlab: carrier-grade NAT and double NAT by NAT-PMP/PCP (stand-in ISP gateway)',
  () => {
    for (const c of CASES) {
      for (const server of SERVERS) {
        describe(`${c.name} — against ${server.name}`, () => {
          let lab: Lab;

          beforeAll(async () => {
            lab = await createLab({ cgnat: true });
            if (c.privateWan) await privateHomeWan(lab);
            await applyScenario(lab, 'cgnat');
            await server.start(lab);
            await startIspGateway(lab);
          }, 60_000);

          afterAll(async () => {
            if (lab) await destroyLab(lab);
          });

          it(
            `reports upstreamNat ${c.upstreamNat}, the gateway's mappings, and the combined-path verdict`,
            async () => {
              for (let i = 0; i < runs; i++) {
                await applyScenario(lab, 'cgnat');
                const probe = await runIceDoctorProbe(lab);
                const context = `run ${i + 1}/${runs}, exit ${String(probe.exitCode)}\nstdout: ${probe.stdout.slice(0, 3000)}\nstderr: ${probe.stderr.slice(0, 1000)}`;
                expect(probe.timedOut, context).toBe(false);
                expect(probe.verdict, context).toEqual(PROBE_EXPECTED.cgnat);
                const report = probeReportSchema.parse(JSON.parse(probe.stdout));
                expect(report.publicAddress?.address, context).toBe(ADDR.routerPub);
                expect(report.portMapping, context).toEqual({
                  protocols: [upnpSilent, mapped('nat-pmp', c.external), mapped('pcp', c.external)],
                  upstreamNat: c.upstreamNat,
                  reasons: { upstreamNat: c.reason },
                });
                expect(await gatewayRules(lab), context).toBe('');
              }
            },
            runs * (TOOL_TIMEOUT_MS + 5_000),
          );

          it('says it in words in the text output', async () => {
            const text = await nsRun(lab.ns.lan, process.execPath, [CLI_PATH, 'probe', PROBE_URL], {
              check: false,
              timeoutMs: TOOL_TIMEOUT_MS,
            });
            expect(text.stdout).toContain(c.words);
            expect(text.stdout).toContain(c.reason);
            expect(text.stdout).toMatch(
              new RegExp(`NAT-PMP .*external ${c.external}, mapping created, and removed`),
            );
            expect(text.stdout).toMatch(
              new RegExp(`PCP .*external ${c.external}, mapping created, and removed`),
            );
          });

          if (!c.privateWan)
            it('a mapping is a real DNAT while held: traffic to the WAN port reaches lan; gone after delete and after expiry', async () => {
              const port = 40_000 + Math.floor(Math.random() * 10_000);
              const added = await natPmp(lab, port, 60);
              expect(added).toBe(`result 0 external ${port} lifetime 60`);
              expect(await gatewayRules(lab)).toContain(
                `iifname "wan0" udp dport ${port} dnat to ${ADDR.lanHost}:${port}`,
              );
              expect(await reachesLan(lab, port)).toBe(true);
              expect(await natPmp(lab, port, 0)).toBe('result 0 external 0 lifetime 0');
              expect(await gatewayRules(lab)).toBe('');
              expect(await reachesLan(lab, port)).toBe(false);

              expect(await natPmp(lab, port, 1)).toBe(`result 0 external ${port} lifetime 1`);
              expect(await gatewayRules(lab)).toContain(`dport ${port}`);
              await sleep(2_000);
              expect(await gatewayRules(lab)).toBe('');
            }, 30_000);
        });
      }
    }
  },
);

/** The DNAT rules in the stand-in's table, one per line (`''` when there are none). */
async function gatewayRules(lab: Lab): Promise<string> {
  const out = await nsRun(lab.ns.nat, 'nft', ['list', 'chain', 'ip', ISP_GATEWAY_TABLE, 'prerouting']);
  return out.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('dnat'))
    .join('\n');
}

/**
 * One NAT-PMP UDP mapping request (RFC 6886 §3.3) from lan's local port `port`, by an independent client (raw
 * bytes, not ice-doctor's codec); `result R external P lifetime L`.
 */
async function natPmp(lab: Lab, port: number, lifetimeS: number): Promise<string> {
  const script = `
const s = require('node:dgram').createSocket('udp4');
const b = Buffer.alloc(12); b[1] = 1; b.writeUInt16BE(${port}, 4); b.writeUInt16BE(${lifetimeS ? port : 0}, 6); b.writeUInt32BE(${lifetimeS}, 8);
s.bind(${port}, () => s.send(b, 5351, '${ADDR.routerLan}'));
s.on('message', (m) => { console.log('result ' + m.readUInt16BE(2) + ' external ' + m.readUInt16BE(10) + ' lifetime ' + m.readUInt32BE(12)); process.exit(0); });
setTimeout(() => { console.log('timeout'); process.exit(0); }, 3000);
`;
  return (await nsRun(lab.ns.lan, process.execPath, ['-e', script])).stdout.trim();
}

/**
 * Whether a datagram sent from the carrier namespace to the home router's WAN address, port `port`, reaches a
 * socket bound to `port` in lan (sent every 100 ms for 1.5 s).
 */
async function reachesLan(lab: Lab, port: number): Promise<boolean> {
  const listen = `
const s = require('node:dgram').createSocket('udp4');
s.bind(${port}, () => console.log('bound'));
s.on('message', (m) => { console.log('got ' + m); process.exit(0); });
setTimeout(() => { console.log('nothing'); process.exit(0); }, 2500);
`;
  const listener = nsRun(lab.ns.lan, process.execPath, ['-e', listen]);
  await sleep(300);
  const send = `
const s = require('node:dgram').createSocket('udp4');
const t = setInterval(() => s.send('hello', ${port}, '${CGNAT_ADDR.homeWan}'), 100);
setTimeout(() => { clearInterval(t); s.close(); }, 1500);
`;
  await run('ip', ['netns', 'exec', lab.ns.cgn!, process.execPath, '-e', send]);
  return (await listener).stdout.includes('got hello');
}

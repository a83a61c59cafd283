import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHosts } from '../../src/client/transport/hosts-file.js';
import { MAX_PARALLEL_CHECKS } from '../../src/client/turn-check/nodes.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { turnCheckReportSchema } from '../../src/report/schema.js';

const ALICE = { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' } as const;

// One deadline for the whole run (issue 15 §2, the exporter's scrape timeout): a name with more addresses
// than the parallel bound, each a UDP socket that never answers, must not take a full --timeout per wave.

const NODES = 2 * MAX_PARALLEL_CHECKS + 1;
const TIMEOUT_MS = 1500;

describe('turn-check: one deadline for a name with more addresses than the parallel bound', () => {
  const sockets: Socket[] = [];
  let port = 0;
  beforeAll(async () => {
    for (let i = 0; i < NODES; i++) {
      const s = createSocket('udp4');
      await new Promise<void>((resolve) => s.bind(port, `127.0.1.${i + 1}`, resolve));
      port = s.address().port;
      sockets.push(s);
    }
  });
  afterAll(() => {
    for (const s of sockets) s.close();
  });

  it('ends within --timeout (plus a margin), the checks not started reported as deadline-exceeded', async () => {
    const hosts = sockets.map((s) => `${s.address().address} silent.test`).join('\n');
    const start = performance.now();
    const report = turnCheckReportSchema.parse(
      await runTurnCheck({
        targets: parseTurnTargets([`turn:silent.test:${port}?transport=udp`]),
        credentials: ALICE,
        insecure: false,
        timeoutMs: TIMEOUT_MS,
        outsideReach: false,
        quality: false,
        hosts: parseHosts(hosts),
      }),
    );
    const wallMs = performance.now() - start;
    // Before: every wave of MAX_PARALLEL_CHECKS got a fresh --timeout (3 waves: 4500 ms and more).
    expect(wallMs).toBeLessThan(TIMEOUT_MS + 2000);
    expect(report.targets).toHaveLength(NODES);
    expect(report.ok).toBe(false);
    const codes = report.targets.map((t) => t.diagnoses[0]?.code);
    expect(codes.filter((c) => c === 'deadline-exceeded').length).toBe(NODES);
  }, 20_000);
});

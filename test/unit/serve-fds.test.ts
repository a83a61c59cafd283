/**
 * What `serve` says at start about descriptors (src/cli/commands/serve-fds.ts): the numbers from a given
 * RLIMIT_NOFILE, and the warnings coturn gives (low soft limit; a total quota above the relay sockets left).
 */
import { describe, expect, it } from 'vitest';
import { fdReport, fdText } from '../../src/cli/commands/serve-fds.js';
import { ConnectionBudget } from '../../src/net/connection-budget.js';

describe('fdReport', () => {
  it('says a limit of 1,024 leaves 480 connections and 480 relay sockets, and warns twice', () => {
    const { report, warnings } = fdReport(
      { soft: 1024, hard: 1024 },
      new ConnectionBudget({ total: 480, perIp: 100 }),
      2000,
    );
    expect(report).toEqual({
      soft: 1024,
      hard: 1024,
      connections: 480,
      connectionsPerIp: 100,
      relaySockets: 480,
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/open-file limit is 1024 \(hard 1024\), below 4096/);
    expect(warnings[1]).toMatch(/^--total-quota 2000 exceeds the 480 relay sockets/);
    expect(fdText(report)).toBe(
      'open files: limit 1024 (hard 1024); 480 connections (100 per client IP), 480 relay sockets',
    );
  });

  it('warns about nothing with a large limit, and prints unlimited as null', () => {
    const fd = { soft: 1_048_576, hard: Number.POSITIVE_INFINITY };
    const { report, warnings } = fdReport(fd, new ConnectionBudget({ total: 524_256, perIp: 100 }), 2000);
    expect(warnings).toEqual([]);
    expect(report.hard).toBeNull();
    expect(JSON.parse(JSON.stringify(report)).hard).toBeNull();
  });
});

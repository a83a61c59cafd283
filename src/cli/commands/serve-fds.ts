// What `serve` says at start about file descriptors: the limit, the connection budget set from it, and
// the relay sockets left; with the warnings an operator needs (issue 12, item 2).
import { type ConnectionBudget, relaySocketsFor } from '../../net/connection-budget.js';
import { type FdLimit, LOW_FD_LIMIT } from '../../net/fd-limit.js';

/**
 * The descriptor budget of a `serve` process, as printed (`fds` of `--json`): the RLIMIT_NOFILE soft and
 * hard limits (null: unlimited or unknown), the connections accepted at once over every listener
 * (`total` of the process connection budget) with the per-client cap, and the relay sockets (one per
 * allocation) the limit still leaves when that many connections are open.
 */
export interface FdReport {
  soft: number | null;
  hard: number | null;
  connections: number;
  connectionsPerIp: number;
  relaySockets: number;
}

const finite = (n: number | undefined): number | null => (n === undefined || !Number.isFinite(n) ? null : n);

/**
 * The {@link FdReport} of a process with descriptor limit `fd` (null: unknown, not Linux) and connection
 * budget `budget`, and the warn lines to log: a soft limit below {@link LOW_FD_LIMIT} (as coturn warns),
 * and `--total-quota` above the relay sockets left (Allocates beyond them would get 508 with EMFILE).
 * @param totalQuota allocations allowed in total (`--total-quota`).
 */
export function fdReport(
  fd: FdLimit | null,
  budget: ConnectionBudget,
  totalQuota: number,
): { report: FdReport; warnings: string[] } {
  const report: FdReport = {
    soft: finite(fd?.soft),
    hard: finite(fd?.hard),
    connections: budget.limits.total,
    connectionsPerIp: budget.limits.perIp,
    relaySockets: relaySocketsFor(fd, budget.limits.total),
  };
  const warnings: string[] = [];
  if (fd !== null && fd.soft < LOW_FD_LIMIT)
    warnings.push(
      `the open-file limit is ${fd.soft} (hard ${fd.hard}), below ${LOW_FD_LIMIT}: at most ` +
        `${report.connections} connections and ${report.relaySockets} relay sockets; raise it ` +
        '(systemd LimitNOFILE=, docker --ulimit nofile=, ulimit -n) for more than a few hundred clients',
    );
  if (totalQuota > report.relaySockets)
    warnings.push(
      `--total-quota ${totalQuota} exceeds the ${report.relaySockets} relay sockets the open-file limit ` +
        `leaves beside ${report.connections} connections: Allocates beyond them would get 508 (EMFILE); ` +
        'lower --total-quota or raise the limit',
    );
  return { report, warnings };
}

/** The human line: `open files: limit 1024 (hard 1024); 480 connections (100 per client IP), 480 relay sockets`. */
export function fdText(r: FdReport): string {
  const limit = r.soft === null ? 'unlimited or unknown' : String(r.soft);
  const hard = r.hard === null ? 'unlimited or unknown' : String(r.hard);
  return (
    `open files: limit ${limit} (hard ${hard}); ${r.connections} connections ` +
    `(${r.connectionsPerIp} per client IP), ${r.relaySockets} relay sockets`
  );
}

import pc from 'picocolors';
import type { DiagnosisReport } from '../../report/schema.js';
import { DEFAULT_REPORT_PORT } from '../../web/server/report-settings.js';
import { formatAddress } from '../../wire/address.js';
import { renderProbeText } from './probe.js';
import { renderTurnCheckText } from './turn-check.js';

const indent = (text: string): string[] => text.split('\n').map((l) => (l ? `  ${l}` : l));

/** Why the public part is missing, and each public server's own reason (DNS failure, no answer …). */
function publicMissingLines(r: DiagnosisReport): string[] {
  const out = [
    pc.yellow(`! ${r.publicUnreachable}`),
    '  Nothing is known about your network from this run: that needs an answer from a public STUN server.',
  ];
  for (const row of r.publicReachability ?? [])
    out.push(
      pc.dim(`    ${row.url} (${row.transport}): ${row.reachable ? 'answered' : (row.error ?? 'no answer')}`),
    );
  return out;
}

/**
 * The self-test in a few lines: it is a loopback test of the bundled server, so it checks the tool on this
 * machine, never the user's network; each part says ok or what failed, with the details only on failure.
 */
function selfTestLines(r: DiagnosisReport): string[] {
  const { server, probe, turn } = r.selfTest;
  const ok = pc.green('ok  ');
  const fail = pc.red('FAIL');
  const out = [
    pc.bold(
      `Self-test of ice-doctor's bundled STUN/TURN server over loopback (${server.udp.map(formatAddress).join(', ')})`,
    ),
    '  It checks that this tool works on this machine; it says nothing about your network.',
  ];
  for (const l of server.limitations) out.push(pc.yellow(`  limitation: ${l}`));
  const stunOk = probe.udp === true && probe.mapping !== null && probe.filtering !== null;
  out.push(
    stunOk
      ? `  ${ok}  STUN: Binding and the RFC 5780 tests answered (mapping ${probe.mapping}, filtering ${probe.filtering}, RFC 3489 type ${probe.legacyNatType}: no NAT on loopback, as expected)`
      : `  ${fail}  STUN: the RFC 5780 tests against the bundled server did not all answer: ${probe.summary}`,
  );
  for (const t of turn.targets) {
    const why = t.diagnoses.find((d) => d.severity === 'fail')?.message ?? 'see below';
    out.push(
      t.ok
        ? `  ${ok}  TURN over ${t.transport.toUpperCase()}: allocate, permissions, relay both ways, channels, refresh, delete`
        : `  ${fail}  TURN over ${t.transport.toUpperCase()}: ${why}`,
    );
  }
  if (!stunOk) out.push('', ...indent(renderProbeText(probe)));
  if (!turn.ok) out.push('', ...indent(renderTurnCheckText(turn)));
  return out;
}

/**
 * Renders the main job's report: the public-network part (or why it is missing, with each public server's
 * reason), then the self-test of the bundled server on loopback, said to be one; it ends with how to open
 * the web report page. Every command it suggests starts with `cli`, the invocation that works from the
 * user's shell (src/cli/invocation.ts: `ice-doctor`, `npx ice-doctor` or `node …/dist/cli.js`).
 */
export function renderDiagnosisText(r: DiagnosisReport, cli = 'ice-doctor'): string {
  const out: string[] = [];
  if (r.public) out.push(pc.bold('Your network (public STUN servers)'), renderProbeText(r.public), '');
  else out.push(...publicMissingLines(r), '');
  out.push(...selfTestLines(r), '');
  out.push(
    pc.dim(
      `Total ${r.durationMs} ms. Run \`${cli} serve\` to keep the servers running, \`${cli} probe --help\` to test other servers.`,
    ),
    '',
    pc.bold('What does a browser see?'),
    `  Run \`${cli} serve\`, then open the URL it prints ("Open http://127.0.0.1:${DEFAULT_REPORT_PORT}/ in a browser …")`,
    '  in the browser to test: the report page tries each STUN/TURN path and a call between two browsers.',
  );
  return out.join('\n');
}

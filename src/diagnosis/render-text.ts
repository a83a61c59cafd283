import pc from 'picocolors';
import type { DiagnosisReport } from '../report/schema.js';
import { formatAddress } from '../stun/address.js';
import { renderProbeText } from '../stun-probe/render-text.js';
import { renderTurnCheckText } from '../stun-probe/turn-render-text.js';

/**
 * Renders the main job's report: the public-network part (or why it is missing), then the self-test of the
 * bundled server: its RFC 5780 probe and its TURN check; it ends with how to open the web report page
 * (`ice-doctor serve`, then the URL it prints).
 */
export function renderDiagnosisText(r: DiagnosisReport): string {
  const out: string[] = [];
  if (r.public) {
    out.push(pc.bold('Your network (public STUN servers)'), renderProbeText(r.public), '');
  } else {
    out.push(pc.yellow(`! ${r.publicUnreachable} — showing the local self-test only.`), '');
  }
  const s = r.selfTest.server;
  out.push(pc.bold(`Self-test: bundled RFC 5780 STUN server on ${s.udp.map(formatAddress).join(', ')}`));
  for (const l of s.limitations) out.push(pc.yellow(`  limitation: ${l}`));
  out.push(renderProbeText(r.selfTest.probe), '');
  out.push(pc.bold('Self-test: bundled TURN server (turn-check over UDP, TCP and TLS)'));
  out.push(renderTurnCheckText(r.selfTest.turn), '');
  out.push(
    pc.dim(
      `Total ${r.durationMs} ms. Run \`ice-doctor serve\` to keep the servers running, \`ice-doctor probe --help\` to test other servers.`,
    ),
    '',
    pc.bold('What does a browser see?'),
    '  Run `ice-doctor serve`, then open the URL it prints ("Open http://127.0.0.1:8080/ in a browser …")',
    '  in the browser to test: the report page tries each STUN/TURN path and a call between two browsers.',
  );
  return out.join('\n');
}

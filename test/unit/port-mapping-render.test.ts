import { describe, expect, it } from 'vitest';
import { renderPortMapping } from '../../src/cli/render/port-mapping.js';

// picocolors is off without a TTY in tests, so the text is plain.
describe('probe text: the Port mapping block', () => {
  it('says carrier-grade NAT in words and lists each protocol', () => {
    const lines = renderPortMapping({
      protocols: [
        {
          protocol: 'nat-pmp',
          answered: true,
          gateway: '192.168.1.1:5351',
          externalAddress: '100.64.100.2',
          mappingCreated: true,
          mappingRemoved: true,
          rttMs: 2,
        },
        {
          protocol: 'pcp',
          answered: false,
          gateway: '192.168.1.1:5351',
          externalAddress: null,
          mappingCreated: null,
          mappingRemoved: null,
          rttMs: null,
          error: 'no answer within 250 ms',
        },
      ],
      upstreamNat: 'carrier-grade-nat',
      reasons: { upstreamNat: 'shared address space' },
    });
    expect(lines).toEqual([
      '',
      'Port mapping',
      "  double NAT / carrier-grade NAT: your router's own public side is 100.64.x.x (shared address space); another NAT at your carrier translates again — port forwarding on your router will not make you reachable (shared address space)",
      '  NAT-PMP           answers, 2 ms, external 100.64.100.2, mapping created, and removed',
      '  PCP               no answer — no answer within 250 ms',
    ]);
  });

  it('unknown with the reason; nothing without a portMapping block', () => {
    expect(
      renderPortMapping({
        protocols: [],
        upstreamNat: null,
        reasons: { upstreamNat: 'no port-mapping protocol answered' },
      })[2],
    ).toBe('  upstream NAT unknown — no port-mapping protocol answered');
    expect(renderPortMapping(undefined)).toEqual([]);
  });
});

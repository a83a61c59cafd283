/** udp-buffer.ts: when a receive buffer counts as capped by the kernel, and the warning that names the sysctl. */
import { describe, expect, it } from 'vitest';
import { udpBufferCapped, udpBufferWarning } from '../../src/server/stun/udp-buffer.js';

describe('udpBufferCapped', () => {
  it.each([
    [{ requested: 4_194_304, granted: 8_388_608 }, 'linux', false],
    [{ requested: 4_194_304, granted: 425_984 }, 'linux', true],
    [{ requested: 4_194_304, granted: 4_194_304 }, 'linux', true],
    [{ requested: 4_194_304, granted: 4_194_304 }, 'darwin', false],
    [{ requested: 0, granted: 212_992 }, 'linux', false],
  ] as const)('%j on %s → %s', (size, platform, capped) => {
    expect(udpBufferCapped(size, platform)).toBe(capped);
  });
});

describe('udpBufferWarning', () => {
  it('names the flag, the size read back and the sysctl to raise, only when capped', () => {
    expect(udpBufferWarning({ requested: 4_194_304, granted: 8_388_608 })).toBeNull();
    expect(udpBufferWarning({ requested: 4_194_304, granted: 425_984 })).toMatch(
      /^--udp-buffer-bytes: the kernel capped each UDP socket's receive buffer at 425984 bytes as read back \(asked 4194304.*sysctl -w net\.core\.rmem_max=4194304$/,
    );
  });
});

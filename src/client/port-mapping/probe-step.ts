import type { PortMapping } from '../../report/port-mapping-schema.js';
import type { TransportAddress } from '../../wire/address.js';
import { type PortMappingOptions, portMappingReport, startPortMapping } from './run-port-mapping.js';

export type { PortMappingOptions };

/** The port-mapping step of a probe: started at once, joined into the report at the end. */
export interface PortMappingStep {
  /** `{ portMapping }` for the report, or `{}` when the step was not asked for or not run. */
  report(
    stunMapped: TransportAddress | null,
    localTowardStun: string | null,
  ): Promise<{ portMapping?: PortMapping }>;
}

const isLoopback = (a: TransportAddress): boolean =>
  a.family === 'IPv4' ? a.address.startsWith('127.') : a.address === '::1';

/**
 * Starts the port-mapping tests (UPnP IGD, NAT-PMP, PCP) in parallel with the rest of the probe when
 * `options` asks for them and at least one UDP server is off this host: against loopback servers the
 * STUN-mapped address says nothing about the gateway, and nothing is sent to it.
 */
export function portMappingStep(
  options: PortMappingOptions | undefined,
  udpServers: readonly { address: TransportAddress }[],
): PortMappingStep {
  if (options === undefined) return { report: async () => ({}) };
  if (!udpServers.some((s) => !isLoopback(s.address)))
    return {
      report: async () => ({
        portMapping: {
          protocols: [],
          upstreamNat: null,
          reasons: { upstreamNat: 'not tried: no UDP server off this host to compare the gateway with' },
        },
      }),
    };
  const running = startPortMapping(options);
  return {
    async report(stunMapped, localTowardStun) {
      const mapped = stunMapped?.family === 'IPv4' ? stunMapped.address : null;
      return { portMapping: portMappingReport(await running, mapped, localTowardStun) };
    },
  };
}

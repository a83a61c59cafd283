import type { PortMappingProtocol } from '../../report/port-mapping-schema.js';

/**
 * A protocol's row before anything answered: not answered, nothing reported or tried; `gateway` as asked
 * (null when unknown), `error` only when given.
 */
export function unanswered(
  protocol: PortMappingProtocol['protocol'],
  gateway: string | null,
  error?: string,
): PortMappingProtocol {
  return {
    protocol,
    answered: false,
    gateway,
    externalAddress: null,
    mappingCreated: null,
    mappingRemoved: null,
    rttMs: null,
    ...(error !== undefined && { error }),
  };
}

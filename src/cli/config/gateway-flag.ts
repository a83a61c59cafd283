import { isIPv4 } from 'node:net';
import { ConfigError } from '../../errors.js';

/**
 * Parses `--gateway IP` (the gateway to ask by UPnP IGD / NAT-PMP / PCP instead of the default route's).
 * @throws ConfigError naming the flag when the value is not an IPv4 address.
 */
export function parseGateway(value: string): string {
  if (!isIPv4(value))
    throw new ConfigError(`--gateway: expected an IPv4 address such as 192.168.1.1, got '${value}'`);
  return value;
}

import type { Scenario } from './scenarios.js';
import type { LabOptions } from './topology.js';

/**
 * The network a user (`ice-doctor lab --nat NAME`) or a test asks the lab for, by the field's name, and how
 * the lab builds it: the topology options of {@link createLab} and the router {@link Scenario}. Owners of a
 * new scenario add one entry here.
 */
export interface LabNatPlan {
  /** One line for `--help` and errors. */
  readonly description: string;
  readonly options: LabOptions;
  readonly scenario: Scenario;
  /**
   * True when the client reaches out only through the lab's HTTP CONNECT proxy: commands run inside get
   * `HTTPS_PROXY` (`labEnv`), as an office's managed machines do.
   */
  readonly proxy?: boolean;
}

/** Every `--nat` value, in the order `--help` lists them. */
export const LAB_NATS = {
  'port-restricted': {
    description: 'endpoint-independent mapping, address-and-port-dependent filtering (Linux MASQUERADE)',
    options: {},
    scenario: 'masquerade',
  },
  symmetric: {
    description: 'a fresh random port per destination (address-and-port-dependent mapping and filtering)',
    options: {},
    scenario: 'masquerade-random',
  },
  'full-cone': {
    description: 'endpoint-independent mapping and filtering',
    options: {},
    scenario: 'full-cone',
  },
  'restricted-cone': {
    description: 'endpoint-independent mapping, address-dependent filtering',
    options: {},
    scenario: 'restricted-cone',
  },
  'udp-blocked': {
    description: 'every forwarded UDP packet dropped; TCP passes through a NAT',
    options: {},
    scenario: 'udp-dropped',
  },
  open: { description: 'no NAT, no firewall: routed public addresses', options: {}, scenario: 'routed' },
  'mtu-1280': {
    description: 'port-restricted NAT whose public link has MTU 1280 and drops ICMP "fragmentation needed"',
    options: {},
    scenario: 'mtu-1280',
  },
  'udp-timeout-20s': {
    description: 'port-restricted NAT that forgets a UDP mapping after 20 s of silence',
    options: {},
    scenario: 'udp-timeout-20s',
  },
  'ipv6-firewall': {
    description:
      'dual stack: IPv4 masquerade; IPv6 routed global address behind a stateful firewall (no NAT)',
    options: { ipv6: true },
    scenario: 'ipv6-firewall',
  },
  nat66: {
    description: 'dual stack: IPv4 masquerade; IPv6 ULA lan masqueraded to one global address (NAT66)',
    options: { ipv6: true },
    scenario: 'nat66',
  },
  'proxy-only': {
    description: 'an office: no UDP, no direct TCP; only squid at 100.64.0.1:3128, CONNECT to 443',
    options: {},
    scenario: 'proxy-only',
    proxy: true,
  },
  cgnat: {
    description:
      'carrier-grade NAT (NAT444): a home NAT behind a carrier NAT, both in 100.64.0.0/10 (RFC 6598)',
    options: { cgnat: true },
    scenario: 'cgnat',
  },
} as const satisfies Record<string, LabNatPlan>;

/** One of {@link LAB_NATS}' names. */
export type LabNat = keyof typeof LAB_NATS;

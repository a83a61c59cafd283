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
  cgnat: {
    description:
      'carrier-grade NAT (NAT444): a home NAT behind a carrier NAT, both in 100.64.0.0/10 (RFC 6598)',
    options: { cgnat: true },
    scenario: 'cgnat',
  },
} as const satisfies Record<string, LabNatPlan>;

/** One of {@link LAB_NATS}' names. */
export type LabNat = keyof typeof LAB_NATS;

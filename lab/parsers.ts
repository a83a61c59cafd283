import type { Behaviour, LegacyNatType, Verdict } from '../src/lab/scenarios.js';
import { behaviourSchema, legacyNatTypeSchema } from '../src/report/schema.js';

const BEHAVIOUR_WORDS: Readonly<Record<string, Behaviour>> = {
  'Endpoint Independent': 'endpoint-independent',
  'Address Dependent': 'address-dependent',
  'Address and Port Dependent': 'address-and-port-dependent',
};

/**
 * Parses the combined output of coturn's `turnutils_natdiscovery -m -f SERVER` (4.6.1) into a
 * {@link Verdict}. It reports RFC 5780 mapping/filtering as `NAT with <X> Mapping!` / `... Filtering!`;
 * `udp` is true when any response printed a reflexive address. `natPresent` is false only when it printed
 * `No NAT!`, which it does only when bound to a concrete local address (`-L`); without `-L` it compares
 * against 0.0.0.0 and always says `NAT with ...`. It gives no RFC 3489 label (`legacyNatType: null`).
 */
export function parseNatDiscovery(output: string): Verdict {
  const udp = /UDP reflexive addr/.test(output);
  const find = (kind: 'Mapping' | 'Filtering'): Behaviour | null => {
    const match = new RegExp(
      `NAT with (Endpoint Independent|Address Dependent|Address and Port Dependent) ${kind}!`,
    ).exec(output);
    return match?.[1] ? (BEHAVIOUR_WORDS[match[1]] ?? null) : null;
  };
  const mapping = find('Mapping');
  const filtering = find('Filtering');
  let natPresent: boolean | null = null;
  if (/No NAT!/.test(output)) natPresent = false;
  else if (mapping !== null || filtering !== null) natPresent = true;
  return { udp, natPresent, mapping, filtering, legacyNatType: null };
}

/** `stun` (Debian stun-client 0.97) `Primary:` verdict prefixes → what they state, first match wins. */
const STUN_CLIENT_VERDICTS: readonly [string, Verdict][] = [
  [
    'Open',
    {
      udp: true,
      natPresent: false,
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      legacyNatType: 'open-internet',
    },
  ],
  [
    'Independent Mapping, Independent Filter',
    {
      udp: true,
      natPresent: true,
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      legacyNatType: 'full-cone',
    },
  ],
  [
    'Independent Mapping, Address Dependent Filter',
    {
      udp: true,
      natPresent: true,
      mapping: 'endpoint-independent',
      filtering: 'address-dependent',
      legacyNatType: 'restricted-cone',
    },
  ],
  [
    'Independent Mapping, Port Dependent Filter',
    {
      udp: true,
      natPresent: true,
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      legacyNatType: 'port-restricted-cone',
    },
  ],
  // "Dependent Mapping" cannot tell address- from address-and-port-dependent, and does not test filtering.
  [
    'Dependent Mapping',
    { udp: true, natPresent: true, mapping: null, filtering: null, legacyNatType: 'symmetric' },
  ],
  [
    'Firewall',
    { udp: true, natPresent: false, mapping: null, filtering: null, legacyNatType: 'symmetric-udp-firewall' },
  ],
  [
    'Blocked or could not reach STUN server',
    { udp: false, natPresent: null, mapping: null, filtering: null, legacyNatType: 'udp-blocked' },
  ],
];

/**
 * Parses the classic `stun SERVER` client's output (line `Primary: <verdict>, <port/hairpin notes>`) into
 * a {@link Verdict}; its RFC 3489 answer is `legacyNatType`. Returns all-`null` fields (and `udp: false`)
 * when no known `Primary:` line is present.
 */
export function parseStunClient(output: string): Verdict {
  const line = /^Primary: (.*)$/m.exec(output)?.[1]?.trim() ?? '';
  for (const [prefix, verdict] of STUN_CLIENT_VERDICTS) {
    if (line === prefix || line.startsWith(`${prefix},`)) return { ...verdict };
  }
  return { udp: false, natPresent: null, mapping: null, filtering: null, legacyNatType: null };
}

const LEGACY_TYPES: readonly LegacyNatType[] = legacyNatTypeSchema.options;
const BEHAVIOURS: readonly Behaviour[] = behaviourSchema.options;

/**
 * Extracts the {@link Verdict} fields from `ice-doctor probe --json` stdout (one JSON object, docs/ARCHITECTURE.md
 * contract). Throws when stdout is not JSON or a field has a value outside the contract.
 */
export function parseProbeJson(stdout: string): Verdict {
  const report = JSON.parse(stdout) as Record<string, unknown>;
  const oneOf = <T>(field: string, allowed: readonly T[]): T => {
    const value = report[field] as T;
    if (!allowed.includes(value))
      throw new Error(`probe JSON: ${field} = ${JSON.stringify(value)} is not allowed`);
    return value;
  };
  return {
    udp: oneOf('udp', [true, false, null]),
    natPresent: oneOf('natPresent', [true, false, null]),
    mapping: oneOf('mapping', [...BEHAVIOURS, null]),
    filtering: oneOf('filtering', [...BEHAVIOURS, null]),
    legacyNatType: oneOf('legacyNatType', [...LEGACY_TYPES, null]),
  };
}

/** Names of the {@link Verdict} fields where `actual` differs from `expected`, restricted to `fields`. */
export function verdictMismatches(
  expected: Verdict,
  actual: Verdict,
  fields: readonly (keyof Verdict)[],
): (keyof Verdict)[] {
  return fields.filter((field) => expected[field] !== actual[field]);
}

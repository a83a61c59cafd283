import type { ResolvedTurnCredentials } from '../client/turn-check/credentials.js';
import type { Transport } from '../shared/ice-url.js';

/**
 * A `kind: turn` module: each probe runs one turn-check (RFC 8656 Allocate → permission → data both ways →
 * channel → refresh → delete, src/client/turn-check/run.ts) against the target.
 */
export interface TurnProbeModule {
  kind: 'turn';
  /** The module's name in the config file, as `?module=` names it. */
  name: string;
  /**
   * Narrows the target: `udp` or `tcp` for a `turn:` target (a `turn:` URL without `?transport=` is checked
   * over both otherwise), `tls` for `turns:`; undefined takes what the target URL says.
   */
  transport?: Transport;
  /**
   * The credentials of one probe, called per probe so TURN REST credentials are minted fresh
   * (draft-uberti-behave-turn-rest-00 §2.2). Built by the CLI from environment variables or files only.
   */
  credentials: () => ResolvedTurnCredentials;
  /** The longest a probe may take, in ms; Prometheus' scrape timeout can shorten it. */
  timeoutMs: number;
  /** Accept any TLS certificate for `turns:` (the report says it was not verified). */
  insecure: boolean;
  /** More trusted CA certificates (PEM blocks) besides Node's bundled roots. */
  ca?: readonly string[];
  /** Measure relay quality (RTT, loss, jitter, largest datagram; ~1 s per probe): config key `quality`, default true. */
  quality: boolean;
  /** Check that relay ports are reachable from outside the TURN host: config key `outsideReach`, default true. */
  outsideReach: boolean;
}

/** A `kind: stun` module: each probe sends one STUN Binding request (RFC 8489 §6) to the target. */
export interface StunProbeModule {
  kind: 'stun';
  name: string;
  timeoutMs: number;
  insecure: boolean;
  ca?: readonly string[];
}

/** One module of the exporter's config file. */
export type ProbeModule = TurnProbeModule | StunProbeModule;

/** What `startExporter` runs with (the CLI builds it from `--config FILE` and flags). */
export interface ExporterSettings {
  /** Module name → module. */
  modules: ReadonlyMap<string, ProbeModule>;
  /**
   * Host patterns a target must match (`turn.example.org`, `*.example.org`, an IP literal), or null: any
   * host (then the exporter is a prober for whoever can reach its port; see docs/exporter.md).
   */
  allowedTargets: readonly string[] | null;
  /**
   * Config key `allowAnyTarget: true`: no `allowedTargets` is wanted even on a `--listen` address others can
   * reach (otherwise the CLI refuses to start). Default false.
   */
  allowAnyTarget?: boolean;
  /** Probes run at once; more wait (at most `maxQueued`) for a free slot until their deadline. */
  maxConcurrent: number;
  /** Probes that may wait for a slot; one more is answered 503 at once. */
  maxQueued: number;
  /** Taken off Prometheus' scrape timeout so the answer arrives before Prometheus gives up, in ms. */
  timeoutOffsetMs: number;
}

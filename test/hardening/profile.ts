/**
 * The two profiles of the hardening suite: `short` runs in CI on every `npm test` (bounded, a few
 * minutes), `long` holds the full counts of the issue (`npm run hardening -- --long`, about 20 minutes).
 * Chosen by `HARDENING_PROFILE=long` (set by scripts/hardening.mjs), `short` otherwise.
 */
export interface HardeningProfile {
  name: 'short' | 'long';
  /** Malformed datagrams/frames sent to the server, over UDP and TCP together, split across input classes. */
  fuzzMessages: number;
  /** Allocate → CreatePermission → ChannelBind → expire cycles of the churn test. */
  churnCycles: number;
  /** How long the soak test holds a relayed flow, in ms. */
  soakMs: number;
  /** Per-test timeout for the fuzz, churn and soak tests, in ms. */
  testTimeoutMs: number;
}

const SHORT: HardeningProfile = {
  name: 'short',
  fuzzMessages: 60_000,
  churnCycles: 1_000,
  soakMs: 25_000,
  testTimeoutMs: 120_000,
};

const LONG: HardeningProfile = {
  name: 'long',
  fuzzMessages: 1_000_000,
  churnCycles: 10_000,
  soakMs: 600_000,
  testTimeoutMs: 1_200_000,
};

/** The profile this run uses. */
export const profile: HardeningProfile = process.env.HARDENING_PROFILE === 'long' ? LONG : SHORT;

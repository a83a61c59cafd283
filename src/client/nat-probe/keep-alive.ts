/** A common keep-alive interval range of applications, s (for the words; RFC 8445 §11 suggests 15 s). */
export const COMMON_KEEP_ALIVE_S = { min: 15, max: 25 } as const;

/**
 * The keep-alive interval (s, whole seconds) that keeps a binding open, from the binding lifetime measured
 * (RFC 5780 §4.6): half its lower bound `minS`, rounded down, so one lost keep-alive does not let the binding
 * expire. Null when the lifetime was not measured (its own reason says why) or its lower bound is under 2 s
 * (then `reasons.keepAliveS` says so): no interval can be given from it.
 * @param reasons the report's reasons, to which the reason is added.
 */
export function keepAliveOf(
  lifetime: { minS: number; maxS: number | null } | null,
  reasons: Record<string, string>,
): number | null {
  if (lifetime === null) return null;
  const interval = Math.floor(lifetime.minS / 2);
  if (interval >= 1) return interval;
  reasons.keepAliveS = `the binding was seen alive for only ${lifetime.minS} s: no keep-alive interval of 1 s or more keeps it open with a margin`;
  return null;
}

import type { MappingBudget } from './budget.js';

/** Shared by the three protocols of one run: whether the router has answered any of them yet. */
export interface RouterLiveness {
  answered: boolean;
}

/** A first answer (or null) and how long was waited for it in all, in ms of budget. */
export interface FirstAnswer<T> {
  readonly value: T | null;
  readonly waitedMs: number;
}

/**
 * Waits for a protocol's first answer: `attempt(budget.firstMs)` (a silent router costs that much, 250 ms);
 * when it stays silent but the router has answered another protocol by then (`live`), once more with
 * `budget.stepMs` — a router that is alive but busy (one thread serving SSDP, HTTP and netlink) must not be
 * reported as not speaking a protocol. No second wait when `refused()` says the router refused this
 * protocol's port (ICMP port unreachable: not served). Marks `live` on an answer.
 */
export async function firstAnswer<T>(
  attempt: (budgetMs: number) => Promise<T | null>,
  budget: MappingBudget,
  live: RouterLiveness,
  refused: () => boolean = () => false,
): Promise<FirstAnswer<T>> {
  const first = await attempt(budget.firstMs);
  if (first !== null || !live.answered || refused()) {
    if (first !== null) live.answered = true;
    return { value: first, waitedMs: budget.firstMs };
  }
  const again = await attempt(budget.stepMs);
  return { value: again, waitedMs: budget.firstMs + budget.stepMs };
}

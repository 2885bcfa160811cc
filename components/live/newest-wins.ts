/**
 * A fetch that started before a pushed update can answer after it: without a guard its older
 * copy would overwrite the newer state (a service shown Deploying long after it is Running).
 * Service summaries carry `updatedAt`; whichever copy is newer wins, for pushes and fetches alike.
 */
type TStamped = { id: string; updatedAt: number };

/** `next`, unless `current` is strictly newer. */
export function newerOf<T extends TStamped>(current: T | undefined, next: T): T {
  return current && current.updatedAt > next.updatedAt ? current : next;
}

/** A fetched list merged with the cached one, keeping the newer copy of each service. */
export function newerList<T extends TStamped>(current: unknown, next: unknown): unknown {
  if (!Array.isArray(current) || !Array.isArray(next)) return next;
  const cached = new Map((current as T[]).map((s) => [s.id, s]));
  return (next as T[]).map((s) => newerOf(cached.get(s.id), s));
}

/** A fetched service detail, unless the cached one is newer. */
export function newerDetail<T extends TStamped>(current: unknown, next: unknown): unknown {
  if (!current || !next) return next;
  return newerOf(current as T, next as T);
}

/**
 * Log keyword search of guide §3.1.2 (GUIDE-INDEX §A decision 17): words are split at delimiters;
 * a term is an exact word, a wildcard word (`?` one character, `*` any run) or a phrase (contains a
 * space); terms combine with `&&`/`AND` and `||`/`OR` (AND binds tighter). Case-insensitive.
 */
const DELIMITERS = /[,'";=()[\]{}@&<>/:\n\t\r\s]+/;

type Term = (line: string, words: string[]) => boolean;

function compileTerm(raw: string): Term | undefined {
  const term = raw.trim().toLowerCase();
  if (!term) return undefined;
  if (/\s/.test(term)) return (line) => line.includes(term);
  if (/[*?]/.test(term)) {
    const pattern = new RegExp(`^${term.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return (_line, words) => words.some((w) => pattern.test(w));
  }
  return (_line, words) => words.includes(term);
}

/** Compiles a query into a line predicate; an empty query matches everything. */
export function compileLogQuery(query: string): (line: string) => boolean {
  const groups = query
    .split(/\|\||\s+OR\s+/)
    .map((group) => group.split(/&&|\s+AND\s+/).map(compileTerm).filter((t): t is Term => !!t))
    .filter((g) => g.length > 0);
  if (groups.length === 0) return () => true;
  return (line) => {
    const lower = line.toLowerCase();
    const words = lower.split(DELIMITERS).filter(Boolean);
    return groups.some((terms) => terms.every((t) => t(lower, words)));
  };
}

/**
 * Log keyword search of guide §3.1.2 (GUIDE-INDEX §A decision 17): words are split at delimiters;
 * a term is an exact word, a wildcard word (`?` one character, `*` any run) or a phrase (contains a
 * space); terms combine with `&&`/`AND` and `||`/`OR` (AND binds tighter). Case-insensitive.
 *
 * Matching never backtracks: all word terms of a query run together as one bit-parallel automaton
 * (`word-automaton.ts`) that reads each line once, so a search costs O(line × query / 32) whatever
 * the pattern, and queries are capped at {@link MAX_LOG_QUERY_LENGTH} characters.
 */
import { invalid } from '../errors';
import { WordAutomaton } from './word-automaton';

export const MAX_LOG_QUERY_LENGTH = 256;

type Term = { kind: 'word'; index: number } | { kind: 'phrase'; text: string };

/** Compiles a query into a line predicate; an empty query matches everything. Over-long queries are an error on `keyword`. */
export function compileLogQuery(query: string): (line: string) => boolean {
  if (query.length > MAX_LOG_QUERY_LENGTH) {
    throw invalid('keyword', `A log search is limited to ${MAX_LOG_QUERY_LENGTH} characters; this one has ${query.length}.`);
  }
  const wordTerms: string[] = [];
  const termOf = (raw: string): Term | undefined => {
    const text = raw.trim().toLowerCase();
    // A quoted term is an exact phrase, spaces or not.
    const quoted = /^"(.*)"$/s.exec(text);
    if (quoted) return quoted[1] ? { kind: 'phrase', text: quoted[1] } : undefined;
    if (!text) return undefined;
    if (/\s/.test(text)) return { kind: 'phrase', text };
    const known = wordTerms.indexOf(text);
    return { kind: 'word', index: known >= 0 ? known : wordTerms.push(text) - 1 };
  };
  const groups = query
    .split(/\|\||\s+OR\s+/)
    .map((group) => group.split(/&&|\s+AND\s+/).map(termOf).filter((t): t is Term => !!t))
    .filter((g) => g.length > 0);
  if (groups.length === 0) return () => true;

  const automaton = new WordAutomaton(wordTerms);
  const hits = new Uint8Array(wordTerms.length);
  return (line) => {
    const lower = line.toLowerCase();
    if (wordTerms.length > 0) automaton.scan(lower, hits);
    return groups.some((terms) => terms.every((t) => (t.kind === 'word' ? hits[t.index] === 1 : lower.includes(t.text))));
  };
}

/** Trigrams need three characters: shorter literals cannot narrow an index search. */
const MIN_INDEXED = 3;

/**
 * An FTS5 MATCH expression (trigram tokenizer) that every line `compileLogQuery(query)` accepts
 * also matches, so the index narrows the candidates and the exact predicate decides; null when
 * some alternative has no literal of three characters (then only a bounded scan can answer).
 */
export function indexFilter(query: string): string | null {
  const groups = query
    .split(/\|\||\s+OR\s+/)
    .map((group) => group.split(/&&|\s+AND\s+/).map((t) => t.trim().toLowerCase()).filter(Boolean))
    .filter((g) => g.length > 0);
  if (groups.length === 0) return null;
  const alternatives: string[] = [];
  for (const terms of groups) {
    const literals = terms.flatMap((term) => {
      const quoted = /^"(.*)"$/s.exec(term);
      if (quoted || /\s/.test(term)) return [quoted ? quoted[1] : term];
      return term.split(/[?*]/);
    });
    const usable = literals.filter((l) => l.length >= MIN_INDEXED);
    if (usable.length === 0) return null;
    alternatives.push(usable.map((l) => `"${l.replaceAll('"', '""')}"`).join(' AND '));
  }
  return alternatives.map((a) => `(${a})`).join(' OR ');
}

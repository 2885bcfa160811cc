/**
 * Where a log search's terms occur in a line, for highlighting (the server decides which lines
 * match; this only marks them): words between delimiters (guide §3.1.2) with `?` and `*`, and
 * phrases, case-insensitively.
 */
const DELIMITERS = ',\'";=()[]{}@&<>/:\n\t\r \v\f';
const D = `[${DELIMITERS.replace(/[\]\\[^-]/g, '\\$&')}]`;
const NOT_D = `[^${DELIMITERS.replace(/[\]\\[^-]/g, '\\$&')}]`;
/** Lines longer than this are shown without marks (a wildcard's regex would cost too much). */
const MAX_MARKED_LINE = 2000;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One regex matching every term of `keyword`; null when it has none. */
export function highlighter(keyword: string): RegExp | null {
  const sources = keyword
    .split(/\|\||&&|\s+OR\s+|\s+AND\s+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const quoted = /^"(.*)"$/s.exec(term);
      if (quoted || /\s/.test(term)) return escape(quoted ? quoted[1] : term);
      const body = term.split('').map((c) => (c === '?' ? NOT_D : c === '*' ? `${NOT_D}*` : escape(c))).join('');
      return `(?<=^|${D})${body}(?=$|${D})`;
    })
    .filter((s) => s.length > 0);
  return sources.length > 0 ? new RegExp(sources.join('|'), 'gi') : null;
}

/** The line cut into plain and marked pieces. */
export function markPieces(line: string, re: RegExp | null): { text: string; isMark: boolean }[] {
  if (!re || line.length > MAX_MARKED_LINE) return [{ text: line, isMark: false }];
  const pieces: { text: string; isMark: boolean }[] = [];
  let at = 0;
  for (const m of line.matchAll(re)) {
    if (m[0].length === 0) continue;
    if (m.index > at) pieces.push({ text: line.slice(at, m.index), isMark: false });
    pieces.push({ text: m[0], isMark: true });
    at = m.index + m[0].length;
  }
  if (at < line.length) pieces.push({ text: line.slice(at), isMark: false });
  return pieces;
}

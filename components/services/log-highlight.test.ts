import { describe, expect, it } from 'vitest';
import { highlighter, markPieces } from './log-highlight';

const marks = (line: string, keyword: string) => markPieces(line, highlighter(keyword)).filter((p) => p.isMark).map((p) => p.text);

describe('log search highlights', () => {
  it('marks whole words, wildcards and phrases, case-insensitively', () => {
    expect(marks('ERROR: bad error in errors', 'error')).toEqual(['ERROR', 'error']);
    expect(marks('an erXor and an error', 'er?or')).toEqual(['erXor', 'error']);
    expect(marks('connection refused (refusing)', 'refus*')).toEqual(['refused', 'refusing']);
    expect(marks('Start to refresh the cache', '"refresh the"')).toEqual(['refresh the']);
    expect(marks('a [b] (c)', 'a || "(c)"')).toEqual(['a', '(c)']);
  });
  it('keeps the line whole when there is nothing to mark', () => {
    expect(markPieces('plain', highlighter(''))).toEqual([{ text: 'plain', isMark: false }]);
    expect(markPieces('x'.repeat(3000), highlighter('x*'))).toHaveLength(1);
  });
});

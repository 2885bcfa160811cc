import { describe, expect, it } from 'vitest';
import { compileSafeRegex, MAX_PATTERN_LENGTH, type TSafeRegex } from './safe-regex';

function regex(pattern: string): TSafeRegex {
  const compiled = compileSafeRegex(pattern);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.regex;
}

/** Asserts which inputs a pattern accepts in full and which it refuses. */
function expectMatches(pattern: string, accepted: string[], refused: string[]): void {
  const r = regex(pattern);
  for (const input of accepted) expect(r.test(input), `${pattern} should match ${JSON.stringify(input)}`).toBe(true);
  for (const input of refused) expect(r.test(input), `${pattern} should not match ${JSON.stringify(input)}`).toBe(false);
}

function timed(fn: () => boolean): { result: boolean; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

describe('compileSafeRegex: the constructs of table 3-8', () => {
  it('. matches any character but a line terminator; (.|\\n) matches anything', () => {
    expectMatches('a.c', ['abc', 'a-c', 'a c'], ['ac', 'a\nc', 'a\rc', 'abbc']);
    expectMatches('a(.|\\n)c', ['abc', 'a\nc'], ['ac']);
  });

  it('*, + and ? repeat the previous item 0+, 1+ and 0–1 times', () => {
    expectMatches('ab*', ['a', 'ab', 'abbb'], ['', 'b', 'abc']);
    expectMatches('ab+', ['ab', 'abbb'], ['a', 'ba']);
    expectMatches('ab?', ['a', 'ab'], ['abb']);
  });

  it('^ anchors at the start and $ at the end (before one final line terminator, as in Java)', () => {
    expectMatches('^op.*$', ['op', 'ops-team'], ['xop']);
    expectMatches('a$\n', ['a\n'], ['a']);
    expectMatches('a^b', [], ['ab', 'a^b']);
  });

  it('{n} repeats exactly n times; {n,} and {n,m} bound the count', () => {
    expectMatches('a{3}', ['aaa'], ['aa', 'aaaa']);
    expectMatches('a{2,}', ['aa', 'aaaaa'], ['a']);
    expectMatches('a{2,3}', ['aa', 'aaa'], ['a', 'aaaa']);
    expectMatches('(ab){2}', ['abab'], ['ab', 'ababab']);
    expectMatches('a{0}b', ['b'], ['ab']);
  });

  it('x|y is alternation, with the lowest precedence', () => {
    expectMatches('zhangsan|lisi', ['zhangsan', 'lisi'], ['zhangsanlisi', 'zhang']);
    expectMatches('v(1|2)\\.0', ['v1.0', 'v2.0'], ['v3.0', 'v1x0']);
  });

  it('[xyz], ranges, negated classes and escapes inside classes', () => {
    expectMatches('[xyz]', ['x', 'z'], ['a', 'xy', '']);
    expectMatches('[a-c0-9_]+', ['abc09_'], ['abcd']);
    expectMatches('[^a-c]', ['d', '中'], ['a', '']);
    expectMatches('[\\d-]+', ['12-3'], ['a']); // Java: a '-' after a class escape is literal
    expectMatches('[]a]', [']', 'a'], ['b']); // Java: a ']' right after '[' is literal
    expectMatches('[a\\]]', [']'], ['\\']);
  });

  it('escapes: \\d \\w \\s and their complements (ASCII, as Java by default), quoted metacharacters, \\u', () => {
    expectMatches('\\d+', ['0123'], ['12a', '١']);
    expectMatches('\\w+', ['a_Z9'], ['a-b', 'é']);
    expectMatches('\\s', [' ', '\t'], ['a']);
    expectMatches('\\D\\W\\S', ['a-b'], ['1-b', 'a_b', 'a- ']);
    expectMatches('1\\.0\\.\\*\\\\', ['1.0.*\\'], ['1x0.*\\']);
    expectMatches('\\u0041\\x42', ['AB'], ['ab']);
  });

  it('lazy quantifiers and (?:) groups are accepted with the same full-match meaning', () => {
    expectMatches('(?:ab)*?c+?', ['ababc', 'ccc'], ['abab']);
  });
});

describe('compileSafeRegex: full-string semantics and Unicode', () => {
  it('tests the whole input, like Java String.matches (no partial match)', () => {
    expectMatches('op.*', ['op', 'operator'], ['xop', 'o']);
    expectMatches('abc', ['abc'], ['abcd', 'xabc', 'ab']);
    expectMatches('', [''], ['a']);
  });

  it('matches by code point: one . consumes a whole emoji (a surrogate pair)', () => {
    expectMatches('.', ['😀', 'é', '中'], ['😀😀']);
    expectMatches('[😀a]{2}', ['😀a', 'a😀'], ['😁a']);
    expectMatches('x.y', ['x😀y'], ['x😀😀y']);
  });

  it('keeps answering correctly when one compiled regex is reused across inputs', () => {
    const r = regex('(a|b)*c');
    const inputs = ['abc', 'abd', 'c', '', 'ababababc', 'cc'];
    for (let round = 0; round < 3; round++) expect(inputs.map((s) => r.test(s))).toEqual([true, false, true, false, true, false]);
  });
});

describe('compileSafeRegex: refused patterns, with the position of the problem', () => {
  it.each([
    ['a)', 1, "Unmatched ')'"],
    ['(ab', 0, "Unclosed group '('"],
    ['x[ab', 1, "Unclosed character class '['"],
    ['*a', 0, "'*' has nothing to repeat"],
    ['a**', 2, "'*' has nothing to repeat"],
    ['a{', 1, "Invalid repetition '{'"],
    ['a{,5}', 1, "Invalid repetition '{'"],
    ['a{3,1}', 1, 'n must not be greater than m'],
    ['a{1001}', 1, 'Repetition counts above 1000'],
    ['[z-a]', 2, 'Character range out of order'],
    ['abc\\', 3, 'Trailing backslash'],
    ['(a)\\1', 3, "Unsupported escape '\\1'"],
    ['a\\b', 1, "Unsupported escape '\\b'"],
    ['x(?=a)', 1, "Unsupported group '(?'"],
    ['a*+', 2, 'Possessive quantifiers'],
    ['[a&&b]', 2, "Unsupported '&&'"],
    ['\\x4', 0, 'Invalid \\x escape'],
    ['(a{100}){200}', 8, 'too large once its repetitions are expanded'],
  ])('%j → position %i', (pattern, position, reason) => {
    const compiled = compileSafeRegex(pattern);
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.position).toBe(position);
    expect(compiled.reason).toContain(reason);
    expect(compiled.error).toContain(`at position ${position}.`);
  });

  it(`refuses patterns over ${MAX_PATTERN_LENGTH} characters and accepts one of exactly that length`, () => {
    expect(compileSafeRegex('a'.repeat(MAX_PATTERN_LENGTH)).ok).toBe(true);
    expect(compileSafeRegex('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatchObject({ ok: false, position: MAX_PATTERN_LENGTH });
  });

  it('refuses nested repetitions of nothing quickly instead of expanding them', () => {
    const { ms } = timed(() => compileSafeRegex('((((){1000}){1000}){1000}){1000}').ok);
    expect(compileSafeRegex('((((){1000}){1000}){1000}){1000}').ok).toBe(false);
    expect(ms).toBeLessThan(200);
  });
});

describe('compileSafeRegex: no catastrophic backtracking', () => {
  const as = 'a'.repeat(10_000);

  it.each([
    ['(a+)+$', as, true],
    ['(a+)+$', `${as}!`, false],
    ['(a|a)*b', as, false],
    ['(.*a){20}', as, true],
    ['(.*a){20}', `${as}b`, false],
    ['(.*.*)*b', as, false],
    ['(a|aa)+c', as, false],
  ])('%s against %i characters answers %s in well under 200 ms', (pattern, input, expected) => {
    const r = regex(pattern);
    const { result, ms } = timed(() => r.test(input));
    expect(result).toBe(expected);
    expect(ms).toBeLessThan(200);
  });

  it('stays linear near the state limit (~1,800 live states) on the longest header the gateway evaluates', () => {
    const r = regex('(.*a){200}(.*a){200}(.*a){200}');
    const { result, ms } = timed(() => r.test('a'.repeat(4096)));
    expect(result).toBe(true);
    expect(ms).toBeLessThan(500);
    expect(regex('(.*a){200}(.*a){200}(.*a){200}').test('a'.repeat(599))).toBe(false);
  });

  it('refuses a pattern whose repetitions expand past the state limit', () => {
    expect(compileSafeRegex('(.*a){1000}(.*a){1000}(.*a){1000}')).toMatchObject({ ok: false, error: expect.stringContaining('limit: 2000 NFA states') });
  });
});

import { describe, expect, it } from 'vitest';
import { evaluateCondition, MAX_CONDITION_LENGTH, parseCondition, RULE_VARIABLES, type TCondition, type TRuleContext, type TRuleVariable } from './spel-condition';

const DEFAULT_VARIABLES: Record<TRuleVariable, string> = {
  DOMAIN_NAME: 'zhangsan',
  DOMAIN_ID: 'd-1',
  PROJECT_NAME: 'cn-north-4',
  PROJECT_ID: 'p-1',
  USER_NAME: 'alice',
  USER_ID: 'u-1',
};

/** A request context; header names are given as sent (any case) and looked up lower-case, as the gateway does. */
function context(headers: Record<string, string> = {}, variables: Partial<Record<TRuleVariable, string>> = {}): TRuleContext {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { variables: { ...DEFAULT_VARIABLES, ...variables }, header: (name) => lower.get(name) };
}

function parse(source: string): TCondition {
  const parsed = parseCondition(source);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.condition;
}

function holds(source: string, ctx: TRuleContext = context()): boolean {
  return evaluateCondition(parse(source), ctx);
}

describe('conditions from the guide (§3.1.2)', () => {
  it("#DOMAIN_NAME == 'zhangsan' routes that account only", () => {
    expect(holds("#DOMAIN_NAME == 'zhangsan'", context({}, { DOMAIN_NAME: 'zhangsan' }))).toBe(true);
    expect(holds("#DOMAIN_NAME == 'zhangsan'", context({}, { DOMAIN_NAME: 'lisi' }))).toBe(false);
  });

  it("#DOMAIN_NAME matches 'op.*' tests the whole name", () => {
    expect(holds("#DOMAIN_NAME matches 'op.*'", context({}, { DOMAIN_NAME: 'ops-team' }))).toBe(true);
    expect(holds("#DOMAIN_NAME matches 'op.*'", context({}, { DOMAIN_NAME: 'devops' }))).toBe(false);
  });

  it("#HEADER_version == '0.0.1': a missing header or a different value does not match", () => {
    expect(holds("#HEADER_version == '0.0.1'", context({ version: '0.0.1' }))).toBe(true);
    expect(holds("#HEADER_version == '0.0.1'", context({ version: '0.0.2' }))).toBe(false);
    expect(holds("#HEADER_version == '0.0.1'", context())).toBe(false);
  });

  it("#HEADER_testheader matches 'mock.*', with the header name case-insensitive", () => {
    expect(holds("#HEADER_testheader matches 'mock.*'", context({ TestHeader: 'mock-1' }))).toBe(true);
    expect(holds("#HEADER_TESTHEADER matches 'mock.*'", context({ testheader: 'mock' }))).toBe(true);
    expect(holds("#HEADER_testheader matches 'mock.*'", context({ testheader: 'unmocked' }))).toBe(false);
    expect(holds("#HEADER_testheader matches 'mock.*'", context())).toBe(false);
  });

  // Java: "user-1007".hashCode() = 291298600, "user-1009" = 291298602, "uid-1" = 111277556, "user-1001" = 291298594,
  // "uid-10" = -845363012 (% 100 = -12), "polygenelubricants" = -2147483648 (% 100 = -48).
  it.each([
    ['user-1007', true],
    ['user-1009', true],
    ['uid-1', false],
    ['user-1001', false],
    ['uid-10', true], // a negative remainder is < 10, as in Java; a mathematical modulo would give 88
    ['polygenelubricants', true],
  ])('the bucket rule "hashCode() mod 100 < 10" takes uid %s: %s', (uid, expected) => {
    expect(holds('#HEADER_uid.hashCode() % 100 < 10', context({ uid }))).toBe(expected);
  });

  it('a bucketing rule never matches a request without the header, even negated in the comparison', () => {
    expect(holds('#HEADER_uid.hashCode() % 100 < 10', context())).toBe(false);
    expect(holds('#HEADER_uid.hashCode() % 100 >= 10', context())).toBe(false);
    expect(holds('#HEADER_uid.hashCode() % 100 != 5', context())).toBe(false);
  });
});

describe('operators', () => {
  it('reads every built-in variable', () => {
    for (const name of RULE_VARIABLES) {
      expect(holds(`#${name} == '${DEFAULT_VARIABLES[name]}'`)).toBe(true);
      expect(holds(`#${name} == 'other'`)).toBe(false);
    }
  });

  it("!= on strings: true for a different value and for a missing header", () => {
    expect(holds("#USER_NAME != 'bob'")).toBe(true);
    expect(holds("#USER_NAME != 'alice'")).toBe(false);
    expect(holds("#HEADER_version != '0.0.1'", context())).toBe(true);
  });

  it('every hash comparison operator, a literal on either side, negative literals and chained %', () => {
    const uid = context({ uid: 'uid-10' }); // hashCode -845363012, % 100 = -12, % 100 % 5 = -2
    expect(holds('#HEADER_uid.hashCode() == -845363012', uid)).toBe(true);
    expect(holds('#HEADER_uid.hashCode() % 100 == -12', uid)).toBe(true);
    expect(holds('#HEADER_uid.hashCode() % 100 != -12', uid)).toBe(false);
    expect(holds('#HEADER_uid.hashCode() % 100 <= -12', uid)).toBe(true);
    expect(holds('#HEADER_uid.hashCode() % 100 > -12', uid)).toBe(false);
    expect(holds('#HEADER_uid.hashCode() % 100 >= -12', uid)).toBe(true);
    expect(holds('-13 < #HEADER_uid.hashCode() % 100', uid)).toBe(true);
    expect(holds('#HEADER_uid.hashCode() % 100 % 5 == -2', uid)).toBe(true);
    expect(holds('(#HEADER_uid.hashCode() % 100) < 0', uid)).toBe(true);
    expect(holds('#USER_ID.hashCode() == 113881', uid)).toBe(true); // "u-1".hashCode() in Java
  });

  it('and binds tighter than or: a or b and c == a or (b and c)', () => {
    const [a, b, notC] = ["#USER_NAME == 'alice'", "#DOMAIN_NAME == 'zhangsan'", "#USER_ID == 'nobody'"];
    expect(holds(`${a} or ${b} and ${notC}`)).toBe(true);
    expect(holds(`(${a} or ${b}) and ${notC}`)).toBe(false);
    expect(parse(`${a} or ${b} and ${notC}`)).toMatchObject({ kind: 'or', operands: [{ kind: 'equals' }, { kind: 'and' }] });
  });

  it("accepts &&, ||, ! and SpEL's word operators in any case", () => {
    expect(holds("#USER_NAME == 'alice' && #USER_ID == 'u-1'")).toBe(true);
    expect(holds("#USER_NAME == 'bob' || #USER_ID == 'u-1'")).toBe(true);
    expect(holds("#USER_NAME MATCHES 'a.*' AND NOT #USER_ID eq 'u-2' Or false")).toBe(true);
    expect(holds("#USER_NAME ne 'alice'")).toBe(false);
    expect(holds('#HEADER_uid.hashCode() mod 100 lt 10', context({ uid: 'user-1007' }))).toBe(true);
  });

  it("! negates a condition; '!' before a bare comparison negates the whole comparison", () => {
    expect(holds("!(#USER_NAME == 'alice')")).toBe(false);
    expect(holds("!#USER_NAME == 'alice'")).toBe(false);
    expect(holds("!!(#USER_NAME == 'alice')")).toBe(true);
    expect(holds("not (#USER_NAME == 'bob') and #USER_ID == 'u-1'")).toBe(true);
    expect(holds("!(#HEADER_version == '0.0.1')", context())).toBe(true);
  });

  it('parentheses group and nest', () => {
    expect(holds("((#USER_NAME == 'bob' or #USER_NAME == 'alice') and (#USER_ID == 'u-1'))")).toBe(true);
    expect(holds("(#USER_NAME == 'bob') or ((#USER_ID == 'u-2'))")).toBe(false);
  });

  it("string literals: '' escapes a quote, double quotes work too, backslashes stay as written", () => {
    expect(holds("#HEADER_q == 'it''s'", context({ q: "it's" }))).toBe(true);
    expect(holds('#HEADER_q == "say ""hi"""', context({ q: 'say "hi"' }))).toBe(true);
    expect(holds("#HEADER_v matches '\\d+\\.\\d+'", context({ v: '10.2' }))).toBe(true);
    expect(holds("'zhangsan' == #DOMAIN_NAME")).toBe(true);
  });

  it('header names may contain "-", and true/false are conditions', () => {
    expect(holds("#HEADER_X-Request-Id == 'r1'", context({ 'x-request-id': 'r1' }))).toBe(true);
    expect(holds('true')).toBe(true);
    expect(holds('false or FALSE')).toBe(false);
  });

  it('a pathological regex in a condition evaluates in linear time', () => {
    // All three fail, so every alternative runs over the whole input.
    const condition = parse("#HEADER_x matches '(a+)+$' or #HEADER_x matches '(a|a)*b' or #HEADER_x matches '(.*a){20}b'");
    const ctx = context({ x: `${'a'.repeat(10_000)}!` });
    const start = performance.now();
    expect(evaluateCondition(condition, ctx)).toBe(false);
    expect(performance.now() - start).toBeLessThan(200);
  });
});

describe('refused conditions: the message names the problem and its 0-based position', () => {
  it.each([
    ["#DOMAIN_NAME matches op.*", 21, "Expected a quoted string after 'matches' at position 21."],
    ["#DOMAIN_NAME matches", 20, "Expected a quoted string after 'matches'"],
    ["#FOO == 'a'", 0, "Unknown variable '#FOO' at position 0. Use #DOMAIN_NAME"],
    ["#domain_name == 'a'", 0, 'did you mean #DOMAIN_NAME?'],
    ["#USER_ID == 'abc", 12, 'Unterminated string at position 12.'],
    ['#DOMAIN_NAME', 12, "Expected '==', '!=' or 'matches' and a string after '#DOMAIN_NAME'"],
    ['#HEADER_uid.hashCode() % 100', 28, "Expected '<', '<=', '>', '>=', '==' or '!=' and a number"],
    ['#HEADER_uid.length() > 3', 12, "Unsupported method 'length'"],
    ['#HEADER_uid.hashCode % 100 < 10', 20, "Expected '()' after 'hashCode'"],
    ["#DOMAIN_NAME == 'a' 'b'", 20, "Unexpected string 'b'"],
    ["#DOMAIN_NAME = 'a'", 13, "Unexpected '=' at position 13. Compare with '=='."],
    ["#USER_ID == 'a' & #USER_ID == 'b'", 16, "Write '&&' or 'and'."],
    ["(#DOMAIN_NAME == 'a'", 20, "The '(' at position 0 is not closed."],
    ["#DOMAIN_NAME == 'a')", 19, "Unexpected ')'"],
    ["#DOMAIN_NAME matches 'a(b'", 23, "Invalid regular expression: Unclosed group '(' at position 23."],
    ["#DOMAIN_NAME matches 'it''s)'", 27, "Invalid regular expression: Unmatched ')'"],
    ["#DOMAIN_NAME < 'a'", 13, "'<' compares numbers, not strings"],
    ['#HEADER_uid.hashCode() % 0 < 1', 25, 'Division by zero'],
    ['#HEADER_uid.hashCode() < 2147483648', 25, 'Number out of range'],
    ['#HEADER_uid.hashCode() > -2147483649', 25, 'Number out of range'],
    ['#HEADER_uid.hashCode() < 10.5', 25, 'Invalid number'],
    ["#HEADER_uid.hashCode() == 'a'", 23, "'==' cannot compare a string with a number"],
    ["#USER_ID == 'a' and", 19, 'The condition is incomplete'],
    ['', 0, 'The condition is empty'],
    ["#{DOMAIN_NAME} == 'a'", 1, 'Write variables without braces'],
    ["#HEADER_ == 'a'", 8, "Expected a header name after '#HEADER_'"],
    ["#USER_ID == 'a' == 'b'", 16, 'Comparisons cannot be chained'],
    ['zhangsan == #DOMAIN_NAME', 0, "Unknown name 'zhangsan'"],
    ["#DOMAIN_NAME == 'a' and #USER_ID", 32, "after '#USER_ID' at position 32."],
    ["'a' matches #DOMAIN_NAME", 12, "Expected a quoted string after 'matches'"],
    ["#USER_ID == 'a' ; #USER_ID == 'b'", 16, "Unexpected character ';'"],
    ['true == false', 5, "'==' cannot compare conditions"],
    ["constructor == 'a'", 0, "Unknown name 'constructor'"],
    [`${'('.repeat(101)}true${')'.repeat(101)}`, 100, 'Nested more than 100 levels deep'],
  ])('%j → position %i', (source, position, message) => {
    const parsed = parseCondition(source);
    expect(parsed).toMatchObject({ ok: false, position });
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it(`refuses conditions over ${MAX_CONDITION_LENGTH} characters`, () => {
    const padded = (n: number) => `#HEADER_x == '${'a'.repeat(n - 15)}'`;
    expect(padded(MAX_CONDITION_LENGTH)).toHaveLength(MAX_CONDITION_LENGTH);
    expect(parseCondition(padded(MAX_CONDITION_LENGTH)).ok).toBe(true);
    expect(parseCondition(padded(MAX_CONDITION_LENGTH + 1))).toMatchObject({ ok: false, position: MAX_CONDITION_LENGTH });
  });
});

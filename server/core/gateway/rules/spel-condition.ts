/**
 * Conditions of personalized-config rules (GUIDE-INDEX §3.1.2): the SpEL subset ModelArts documents.
 * Text → tokens → typed AST, once when the rule is saved; the gateway then only walks the AST per request.
 * Nothing here is ever evaluated as code, and regexes go through the linear-time safe engine.
 */
import { javaRemainder, javaStringHashCode } from './java-hash';
import { compileSafeRegex, type TSafeRegex } from './safe-regex';

export const RULE_VARIABLES = ['DOMAIN_NAME', 'DOMAIN_ID', 'PROJECT_NAME', 'PROJECT_ID', 'USER_NAME', 'USER_ID'] as const;
export type TRuleVariable = (typeof RULE_VARIABLES)[number];
export type TRuleContext = { variables: Record<TRuleVariable, string>; header(name: string /* lower-case */): string | undefined };

export const MAX_CONDITION_LENGTH = 1024;
const MAX_NESTING = 100;
const HEADER_PREFIX = 'HEADER_';

export type TStringOperand =
  | { kind: 'variable'; name: TRuleVariable }
  | { kind: 'header'; name: string /* lower-case */ }
  | { kind: 'string'; value: string };
export type TIntOperand = { kind: 'hash'; of: TStringOperand; moduli: number[] } | { kind: 'int'; value: number };
export type TComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type TCondition =
  | { kind: 'constant'; value: boolean }
  | { kind: 'not'; operand: TCondition }
  | { kind: 'and' | 'or'; operands: TCondition[] }
  | { kind: 'equals'; negated: boolean; left: TStringOperand; right: TStringOperand }
  | { kind: 'matches'; subject: TStringOperand; pattern: string; regex: TSafeRegex }
  | { kind: 'compare'; operator: TComparisonOperator; left: TIntOperand; right: TIntOperand };

type TToken = {
  kind: 'variable' | 'word' | 'string' | 'int' | 'symbol' | 'end' | 'invalid';
  text: string;
  value: string;
  start: number;
  end: number;
  error?: ConditionError; // for 'invalid': raised only when the parser reaches it, so earlier mistakes are named first
};

class ConditionError extends Error {
  constructor(readonly reason: string, readonly position: number, readonly hint = '') {
    super(`${reason} at position ${position}.${hint ? ` ${hint}` : ''}`);
  }
}

const SYMBOLS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '.', '%', '-'];
const SYMBOL_MISTAKES: Record<string, [string, string]> = {
  '=': ["Unexpected '='", "Compare with '=='."],
  '&': ["Unexpected '&'", "Write '&&' or 'and'."],
  '|': ["Unexpected '|'", "Write '||' or 'or'."],
};

function tokenize(source: string): TToken[] {
  const tokens: TToken[] = [];
  try {
    scanTokens(source, tokens);
  } catch (e) {
    if (!(e instanceof ConditionError)) throw e;
    tokens.push({ kind: 'invalid', text: '', value: '', start: e.position, end: e.position, error: e });
  }
  tokens.push({ kind: 'end', text: '', value: '', start: source.length, end: source.length });
  return tokens;
}

function scanTokens(source: string, tokens: TToken[]): void {
  const push = (kind: TToken['kind'], start: number, end: number, value = source.slice(start, end)) =>
    tokens.push({ kind, text: source.slice(start, end), value, start, end });
  let pos = 0;
  while (pos < source.length) {
    const start = pos;
    const c = source[pos];
    if (/\s/.test(c)) {
      pos++;
    } else if (c === '#') {
      const token = variableToken(source, start);
      tokens.push(token);
      pos = token.end;
    } else if (c === "'" || c === '"') {
      const { value, end } = readString(source, start);
      push('string', start, end, value);
      pos = end;
    } else if (/[A-Za-z_0-9]/.test(c)) {
      while (pos < source.length && /[A-Za-z0-9_]/.test(source[pos])) pos++;
      const isNumber = /[0-9]/.test(c);
      if (isNumber && (!/^[0-9]+$/.test(source.slice(start, pos)) || source[pos] === '.')) {
        throw new ConditionError('Invalid number', start, 'Only whole numbers such as 100 are supported.');
      }
      push(isNumber ? 'int' : 'word', start, pos);
    } else {
      const symbol = SYMBOLS.find((s) => source.startsWith(s, pos));
      if (!symbol) {
        const [reason, hint] = SYMBOL_MISTAKES[c] ?? [`Unexpected character '${c}'`, ''];
        throw new ConditionError(reason, start, hint);
      }
      pos += symbol.length;
      push('symbol', start, pos);
    }
  }
}

function variableToken(source: string, start: number): TToken {
  if (source[start + 1] === '{') throw new ConditionError("Unexpected '{'", start + 1, 'Write variables without braces, as in #DOMAIN_NAME.');
  const name = /[A-Za-z_][A-Za-z0-9_]*/y;
  name.lastIndex = start + 1;
  if (!name.exec(source)) throw new ConditionError("Expected a variable name after '#'", start + 1);
  let end = name.lastIndex;
  // HTTP header names often hold '-' (x-request-id); SpEL has no subtraction here, so it cannot be misread.
  if (source.startsWith(HEADER_PREFIX, start + 1)) {
    const header = /[A-Za-z0-9_-]*[A-Za-z0-9_]/y;
    header.lastIndex = end;
    if (header.exec(source)) end = header.lastIndex;
    if (end === start + 1 + HEADER_PREFIX.length) throw new ConditionError(`Expected a header name after '#${HEADER_PREFIX}'`, end);
  }
  const text = source.slice(start, end);
  return { kind: 'variable', text, value: text.slice(1), start, end };
}

/** SpEL strings: single or double quotes; the quote is escaped by doubling it, and backslashes are plain characters. */
function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  for (let pos = start + 1; pos < source.length; pos++) {
    if (source[pos] !== quote) value += source[pos];
    else if (source[pos + 1] === quote) value += source[pos++];
    else return { value, end: pos + 1 };
  }
  throw new ConditionError('Unterminated string', start, `Close it with ${quote} (write ${quote}${quote} for a ${quote} inside).`);
}

/** Offset in `source` of character `index` of a string literal's value (doubled quotes count twice). */
function sourceOffset(source: string, literal: TToken, index: number): number {
  let pos = literal.start + 1;
  for (let i = 0; i < index; i++) pos += source[pos] === source[literal.start] ? 2 : 1;
  return pos;
}

type TValue = ({ type: 'bool'; node: TCondition } | { type: 'string'; node: TStringOperand } | { type: 'int'; node: TIntOperand }) & {
  start: number;
  end: number;
  text: string;
};

// SpEL's word operators; a Map so that words like 'constructor' are not found on Object.prototype.
const KEYWORDS = new Map(Object.entries({ and: '&&', or: '||', not: '!', eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=', mod: '%', matches: 'matches' }));
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', 'matches']);
const INT_MAX = 2147483647;

class ConditionParser {
  private index = 0;
  private depth = 0;
  constructor(private readonly source: string, private readonly tokens: TToken[]) {}

  parse(): TCondition {
    if (this.tokens.length === 1 && this.tokens[0].kind === 'end') throw new ConditionError('The condition is empty', 0, "Write one such as #DOMAIN_NAME == 'zhangsan'.");
    const value = this.or();
    const extra = this.peek();
    if (extra.kind !== 'end') throw new ConditionError(`Unexpected ${this.describe(extra)}`, extra.start, "Join conditions with 'and' or 'or'.");
    return this.bool(value);
  }

  private peek(offset = 0): TToken {
    const token = this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
    if (token.error) throw token.error;
    return token;
  }

  private take(): TToken {
    const token = this.peek();
    this.index++;
    return token;
  }

  private describe(token: TToken): string {
    return token.kind === 'string' ? `string ${token.text}` : `'${token.text}'`;
  }

  /** The operator a token stands for: symbols as written, SpEL's word operators case-insensitively. */
  private operator(token: TToken): string | undefined {
    if (token.kind === 'symbol') return token.text;
    return token.kind === 'word' ? KEYWORDS.get(token.text.toLowerCase()) : undefined;
  }

  private or(): TValue {
    return this.chain('||', 'or', () => this.and());
  }

  private and(): TValue {
    return this.chain('&&', 'and', () => this.unary());
  }

  private chain(symbol: string, kind: 'and' | 'or', operand: () => TValue): TValue {
    const first = operand();
    if (this.operator(this.peek()) !== symbol) return first;
    const operands = [this.bool(first)];
    while (this.operator(this.peek()) === symbol) {
      this.index++;
      operands.push(this.bool(operand()));
    }
    const last = this.tokens[this.index - 1];
    return { type: 'bool', node: { kind, operands }, start: first.start, end: last.end, text: this.source.slice(first.start, last.end) };
  }

  // Unlike SpEL, '!' takes a whole comparison (!#A == 'x' is !(#A == 'x')); SpEL would reject that text anyway.
  private unary(): TValue {
    const token = this.peek();
    if (this.operator(token) !== '!') return this.comparison();
    this.index++;
    this.nest(token);
    const operand = this.bool(this.unary());
    this.depth--;
    const end = this.tokens[this.index - 1].end;
    return { type: 'bool', node: { kind: 'not', operand }, start: token.start, end, text: this.source.slice(token.start, end) };
  }

  private comparison(): TValue {
    const left = this.modulo();
    const opToken = this.peek();
    const op = this.operator(opToken);
    if (!op || !COMPARISONS.has(op)) return left;
    this.index++;
    const node = op === 'matches' ? this.matches(left, opToken) : this.relation(left, op as TComparisonOperator, opToken, this.modulo());
    const next = this.peek();
    if (COMPARISONS.has(this.operator(next) ?? '')) throw new ConditionError(`Unexpected ${this.describe(next)}`, next.start, "Comparisons cannot be chained; join them with 'and'.");
    const end = this.tokens[this.index - 1].end;
    return { type: 'bool', node, start: left.start, end, text: this.source.slice(left.start, end) };
  }

  private matches(subject: TValue, opToken: TToken): TCondition {
    if (subject.type !== 'string') throw new ConditionError(`'${opToken.text}' needs a string on its left`, opToken.start, "As in #DOMAIN_NAME matches 'op.*'.");
    const literal = this.peek();
    if (literal.kind !== 'string') throw new ConditionError(`Expected a quoted string after '${opToken.text}'`, literal.start, "As in #DOMAIN_NAME matches 'op.*'.");
    this.index++;
    const compiled = compileSafeRegex(literal.value);
    if (!compiled.ok) {
      throw new ConditionError(`Invalid regular expression: ${compiled.reason}`, sourceOffset(this.source, literal, compiled.position), compiled.hint);
    }
    return { kind: 'matches', subject: subject.node, pattern: literal.value, regex: compiled.regex };
  }

  private relation(left: TValue, operator: TComparisonOperator, opToken: TToken, right: TValue): TCondition {
    const isEquality = operator === '==' || operator === '!=';
    if (isEquality && left.type === 'string' && right.type === 'string') {
      return { kind: 'equals', negated: operator === '!=', left: left.node, right: right.node };
    }
    if (left.type === 'int' && right.type === 'int') return { kind: 'compare', operator, left: left.node, right: right.node };
    if (left.type === 'bool' || right.type === 'bool') {
      throw new ConditionError(`'${opToken.text}' cannot compare conditions`, opToken.start, "Join conditions with 'and', 'or' and '!'.");
    }
    if (isEquality) throw new ConditionError(`'${opToken.text}' cannot compare a string with a number`, opToken.start);
    throw new ConditionError(`'${opToken.text}' compares numbers, not strings`, opToken.start, 'Use it with hashCode(), as in #HEADER_uid.hashCode() % 100 < 10.');
  }

  private modulo(): TValue {
    let left = this.postfix();
    while (this.operator(this.peek()) === '%') {
      const opToken = this.take();
      const right = this.postfix();
      if (left.type !== 'int') throw new ConditionError(`'${opToken.text}' needs a number on its left`, opToken.start, 'Take hashCode() first, as in #HEADER_uid.hashCode() % 100.');
      if (right.type !== 'int' || right.node.kind !== 'int') throw new ConditionError(`Expected a whole number after '${opToken.text}'`, right.start);
      if (right.node.value === 0) throw new ConditionError('Division by zero', right.start, "The number after '%' must not be 0.");
      const divisor = right.node.value;
      const node: TIntOperand = left.node.kind === 'int' ? { kind: 'int', value: javaRemainder(left.node.value, divisor) } : { ...left.node, moduli: [...left.node.moduli, divisor] };
      left = { type: 'int', node, start: left.start, end: right.end, text: this.source.slice(left.start, right.end) };
    }
    return left;
  }

  private postfix(): TValue {
    let value = this.atom();
    while (this.peek().text === '.' && this.peek().kind === 'symbol') {
      this.index++;
      const method = this.peek();
      if (method.kind !== 'word') throw new ConditionError("Expected a method name after '.'", method.start, 'Only hashCode() is supported.');
      if (method.text !== 'hashCode') throw new ConditionError(`Unsupported method '${method.text}'`, method.start, 'Only hashCode() is supported.');
      const open = this.peek(1);
      const close = this.peek(2);
      if (open.text !== '(' || close.text !== ')') throw new ConditionError("Expected '()' after 'hashCode'", method.end, 'hashCode() takes no arguments.');
      if (value.type !== 'string') throw new ConditionError('hashCode() applies to strings only', method.start);
      this.index += 3;
      value = { type: 'int', node: { kind: 'hash', of: value.node, moduli: [] }, start: value.start, end: close.end, text: this.source.slice(value.start, close.end) };
    }
    return value;
  }

  private atom(): TValue {
    const token = this.take();
    const at = { start: token.start, end: token.end, text: token.text };
    switch (token.kind) {
      case 'string':
        return { type: 'string', node: { kind: 'string', value: token.value }, ...at };
      case 'int':
        return { type: 'int', node: { kind: 'int', value: this.integer(token.text, token.start) }, ...at };
      case 'variable':
        return { type: 'string', node: this.variable(token), ...at };
      case 'end':
        throw new ConditionError('The condition is incomplete', token.start, 'Something is missing at the end.');
    }
    if (token.text === '(') return this.group(token);
    if (token.text === '-' && this.peek().kind === 'int' && this.peek().start === token.end) {
      const number = this.take();
      return { type: 'int', node: { kind: 'int', value: this.integer(`-${number.text}`, token.start) }, start: token.start, end: number.end, text: `-${number.text}` };
    }
    const word = token.text.toLowerCase();
    if (token.kind === 'word' && (word === 'true' || word === 'false')) return { type: 'bool', node: { kind: 'constant', value: word === 'true' }, ...at };
    if (token.kind === 'word' && !KEYWORDS.has(word)) {
      throw new ConditionError(`Unknown name '${token.text}'`, token.start, `Variables start with '#' (#DOMAIN_NAME) and strings are quoted ('${token.text}').`);
    }
    throw new ConditionError(`Expected a variable, string or number before '${token.text}'`, token.start);
  }

  private group(open: TToken): TValue {
    this.nest(open);
    const inner = this.or();
    const close = this.peek();
    if (close.text !== ')' || close.kind !== 'symbol') throw new ConditionError("Expected ')'", close.start, `The '(' at position ${open.start} is not closed.`);
    this.index++;
    this.depth--;
    return { ...inner, start: open.start, end: close.end, text: this.source.slice(open.start, close.end) };
  }

  private nest(token: TToken): void {
    if (++this.depth > MAX_NESTING) throw new ConditionError(`Nested more than ${MAX_NESTING} levels deep`, token.start);
  }

  private integer(text: string, start: number): number {
    const value = Number(text);
    if (value > INT_MAX || value < -INT_MAX - 1) throw new ConditionError('Number out of range', start, `Use a whole number from ${-INT_MAX - 1} to ${INT_MAX}.`);
    return value;
  }

  private variable(token: TToken): TStringOperand {
    const name = token.value;
    if (name.startsWith(HEADER_PREFIX)) return { kind: 'header', name: name.slice(HEADER_PREFIX.length).toLowerCase() };
    if ((RULE_VARIABLES as readonly string[]).includes(name)) return { kind: 'variable', name: name as TRuleVariable };
    const upper = name.toUpperCase();
    const suggestion = upper.startsWith(HEADER_PREFIX) ? `#${HEADER_PREFIX}${name.slice(HEADER_PREFIX.length)}` : (RULE_VARIABLES as readonly string[]).includes(upper) ? `#${upper}` : undefined;
    const hint = suggestion
      ? `Variable names are upper case: did you mean ${suggestion}?`
      : `Use ${RULE_VARIABLES.map((v) => `#${v}`).join(', ')} or #HEADER_<name>.`;
    throw new ConditionError(`Unknown variable '${token.text}'`, token.start, hint);
  }

  /** The value as a condition, or an error saying what comparison it lacks. */
  private bool(value: TValue): TCondition {
    if (value.type === 'bool') return value.node;
    const what = value.type === 'int' ? "'<', '<=', '>', '>=', '==' or '!=' and a number" : "'==', '!=' or 'matches' and a string";
    throw new ConditionError(`Expected ${what} after '${value.text}'`, value.end);
  }
}

/** Parses a rule condition; errors carry the 0-based offset of the problem and a message a user can act on. */
export function parseCondition(source: string): { ok: true; condition: TCondition } | { ok: false; error: string; position: number } {
  try {
    if (source.length > MAX_CONDITION_LENGTH) throw new ConditionError(`The condition is longer than ${MAX_CONDITION_LENGTH} characters`, MAX_CONDITION_LENGTH);
    return { ok: true, condition: new ConditionParser(source, tokenize(source)).parse() };
  } catch (e) {
    if (!(e instanceof ConditionError)) throw e;
    return { ok: false, error: e.message, position: e.position };
  }
}

function read(operand: TStringOperand, context: TRuleContext): string | undefined {
  if (operand.kind === 'string') return operand.value;
  return operand.kind === 'header' ? context.header(operand.name) : context.variables[operand.name];
}

function intValue(operand: TIntOperand, context: TRuleContext): number | undefined {
  if (operand.kind === 'int') return operand.value;
  const text = read(operand.of, context);
  if (text === undefined) return undefined;
  let value = javaStringHashCode(text);
  for (const divisor of operand.moduli) value = javaRemainder(value, divisor);
  return value;
}

function compareInts(operator: TComparisonOperator, a: number, b: number): boolean {
  if (operator === '==') return a === b;
  if (operator === '!=') return a !== b;
  if (operator === '<') return a < b;
  if (operator === '<=') return a <= b;
  return operator === '>' ? a > b : a >= b;
}

/**
 * Evaluates a parsed condition for one request. A missing header makes `==` false, `!=` true,
 * `matches` false, and any hashCode() comparison over it false.
 */
export function evaluateCondition(condition: TCondition, context: TRuleContext): boolean {
  switch (condition.kind) {
    case 'constant':
      return condition.value;
    case 'not':
      return !evaluateCondition(condition.operand, context);
    case 'and':
      for (const operand of condition.operands) if (!evaluateCondition(operand, context)) return false;
      return true;
    case 'or':
      for (const operand of condition.operands) if (evaluateCondition(operand, context)) return true;
      return false;
    case 'equals': {
      const left = read(condition.left, context);
      const right = read(condition.right, context);
      if (left === undefined || right === undefined) return condition.negated;
      return (left === right) !== condition.negated;
    }
    case 'matches': {
      const subject = read(condition.subject, context);
      return subject !== undefined && condition.regex.test(subject);
    }
    case 'compare': {
      const left = intValue(condition.left, context);
      const right = intValue(condition.right, context);
      return left !== undefined && right !== undefined && compareInts(condition.operator, left, right);
    }
  }
}

/**
 * A regex engine for user-written routing patterns (`matches` in personalized-config rules).
 * Patterns run on every request, so they are compiled to a Thompson NFA and simulated state-set by
 * state-set: time is O(states × input) whatever the pattern, with no backtracking to exploit.
 * Syntax and semantics follow java.util.regex for the subset we accept; anything else is refused
 * at compile time rather than silently read differently from Java.
 */

export const MAX_PATTERN_LENGTH = 512;
export const MAX_REGEX_STATES = 2_000;
const MAX_REPEAT_COUNT = 1000;

export type TSafeRegex = { test(input: string): boolean /* full-string, like Java's String.matches */ };
/** `reason`/`hint` let a caller that embeds the pattern in a larger text report its own position. */
export type TSafeRegexFailure = { ok: false; error: string; position: number; reason: string; hint: string };

// Character sets are sorted, merged, inclusive code-point ranges, flattened: [lo0, hi0, lo1, hi1, …].
type TRanges = number[];
const MAX_CODE_POINT = 0x10ffff;

function normalize(ranges: TRanges): TRanges {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i], ranges[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: TRanges = [];
  for (const [lo, hi] of pairs) {
    const last = merged.length - 1;
    if (last > 0 && lo <= merged[last] + 1) merged[last] = Math.max(merged[last], hi);
    else merged.push(lo, hi);
  }
  return merged;
}

function complement(ranges: TRanges): TRanges {
  const result: TRanges = [];
  let from = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i] > from) result.push(from, ranges[i] - 1);
    from = ranges[i + 1] + 1;
  }
  if (from <= MAX_CODE_POINT) result.push(from, MAX_CODE_POINT);
  return result;
}

// Java's defaults (no UNICODE_CHARACTER_CLASS): \d, \w and \s are ASCII-only.
const DIGIT = [0x30, 0x39];
const WORD = normalize([0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]);
const SPACE = [0x09, 0x0d, 0x20, 0x20];
// Java's `.` stops at every line terminator, not only \n.
const DOT = complement(normalize([0x0a, 0x0a, 0x0d, 0x0d, 0x85, 0x85, 0x2028, 0x2029]));
const CLASS_ESCAPES: Record<string, TRanges> = {
  d: DIGIT, D: complement(DIGIT), w: WORD, W: complement(WORD), s: SPACE, S: complement(SPACE),
};
const CHAR_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c, e: 0x1b, a: 0x07 };

type TNode =
  | { type: 'empty' }
  | { type: 'set'; ranges: TRanges }
  | { type: 'begin' }
  | { type: 'end' }
  | { type: 'concat'; items: TNode[] }
  | { type: 'alt'; options: TNode[] }
  | { type: 'repeat'; node: TNode; min: number; max: number; position: number };

class PatternError extends Error {
  constructor(readonly reason: string, readonly position: number, readonly hint = '') {
    super(reason);
  }
}

/** Recursive descent over the pattern; positions are UTF-16 offsets, as a caller's string index. */
class PatternParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): TNode {
    const node = this.alternation();
    // A sequence only stops early at ')', so anything left over is an unmatched one.
    if (this.pos < this.src.length) throw new PatternError("Unmatched ')'", this.pos, "Write \\) for a literal ')'.");
    return node;
  }

  private alternation(): TNode {
    const options = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0] : { type: 'alt', options };
  }

  private sequence(): TNode {
    const items: TNode[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') items.push(this.quantified());
    if (items.length === 0) return { type: 'empty' };
    return items.length === 1 ? items[0] : { type: 'concat', items };
  }

  private quantified(): TNode {
    const node = this.atom();
    const position = this.pos;
    const bounds = this.quantifier();
    if (!bounds) return node;
    // A lazy quantifier accepts the same whole strings as a greedy one; a possessive one does not.
    if (this.src[this.pos] === '?') this.pos++;
    else if (this.src[this.pos] === '+') throw new PatternError('Possessive quantifiers such as a*+ are not supported', this.pos);
    return { type: 'repeat', node, ...bounds, position };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.src[this.pos];
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
    }
    return c === '{' ? this.counted() : undefined;
  }

  private counted(): { min: number; max: number } {
    const open = this.pos++;
    const bad = () => new PatternError("Invalid repetition '{'", open, 'Write {3}, {2,} or {2,5}, or \\{ for a literal brace.');
    const min = this.number();
    if (min === undefined) throw bad();
    let max = min;
    if (this.src[this.pos] === ',') {
      this.pos++;
      max = this.number() ?? Infinity;
    }
    if (this.src[this.pos++] !== '}') throw bad();
    if (min > MAX_REPEAT_COUNT || (max !== Infinity && max > MAX_REPEAT_COUNT)) {
      throw new PatternError(`Repetition counts above ${MAX_REPEAT_COUNT} are not supported`, open);
    }
    if (min > max) throw new PatternError('In {n,m}, n must not be greater than m', open);
    return { min, max };
  }

  private number(): number | undefined {
    const start = this.pos;
    while (this.pos < this.src.length && this.src[this.pos] >= '0' && this.src[this.pos] <= '9') this.pos++;
    // Long digit runs are capped before parsing so a huge count reports "too large", not NaN.
    return this.pos > start ? Number(this.src.slice(start, Math.min(this.pos, start + 7))) : undefined;
  }

  private atom(): TNode {
    const start = this.pos;
    const c = this.src[start];
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { type: 'set', ranges: this.charClass() };
      case '.':
        this.pos++;
        return { type: 'set', ranges: DOT };
      case '^':
        this.pos++;
        return { type: 'begin' };
      case '$':
        this.pos++;
        return { type: 'end' };
      case '\\':
        return { type: 'set', ranges: this.escape().ranges };
      case '*':
      case '+':
      case '?':
      case '{':
        throw new PatternError(`'${c}' has nothing to repeat`, start, `Write \\${c} for a literal '${c}'.`);
    }
    const cp = this.src.codePointAt(start)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return { type: 'set', ranges: [cp, cp] };
  }

  private group(): TNode {
    const open = this.pos++;
    if (this.src.startsWith('?:', this.pos)) this.pos += 2;
    else if (this.src[this.pos] === '?') {
      throw new PatternError("Unsupported group '(?'", open, 'Only ( ) and (?: ) groups are supported: no lookaround, flags or named groups.');
    }
    const inner = this.alternation();
    if (this.src[this.pos] !== ')') throw new PatternError("Unclosed group '('", open, "Add the missing ')'.");
    this.pos++;
    return inner;
  }

  /** One escape; `char` is set when it stands for a single character (so it can end a range). */
  private escape(): { ranges: TRanges; char?: number } {
    const start = this.pos++;
    if (this.pos >= this.src.length) throw new PatternError('Trailing backslash', start, 'Write \\\\ for a literal backslash.');
    const cp = this.src.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    const single = (code: number) => ({ ranges: [code, code], char: code });
    if (CLASS_ESCAPES[ch]) return { ranges: CLASS_ESCAPES[ch] };
    if (CHAR_ESCAPES[ch] !== undefined) return single(CHAR_ESCAPES[ch]);
    if (ch === 'x' || ch === 'u') {
      const digits = this.src.slice(this.pos, this.pos + (ch === 'x' ? 2 : 4));
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== (ch === 'x' ? 2 : 4)) {
        throw new PatternError(`Invalid \\${ch} escape`, start, ch === 'x' ? 'Write \\x followed by 2 hex digits.' : 'Write \\u followed by 4 hex digits.');
      }
      this.pos += digits.length;
      return single(parseInt(digits, 16));
    }
    if (/[0-9]/.test(ch)) throw new PatternError(`Unsupported escape '\\${ch}'`, start, 'Back-references and octal escapes are not supported.');
    if (/[a-zA-Z]/.test(ch)) throw new PatternError(`Unsupported escape '\\${ch}'`, start, 'Supported: \\d \\w \\s \\D \\W \\S \\t \\n \\r \\f \\xhh \\uhhhh, and \\ before a symbol.');
    return single(cp); // Java: a backslash before any non-letter quotes it.
  }

  private charClass(): TRanges {
    const open = this.pos++;
    const negated = this.src[this.pos] === '^';
    if (negated) this.pos++;
    const ranges: TRanges = [];
    let first = true; // Java reads a ']' right after '[' or '[^' as a literal.
    for (;;) {
      if (this.pos >= this.src.length) throw new PatternError("Unclosed character class '['", open, "Add the missing ']'.");
      const c = this.src[this.pos];
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' || this.src.startsWith('&&', this.pos)) {
        throw new PatternError(`Unsupported '${c === '[' ? '[' : '&&'}' inside a character class`, this.pos, 'Nested classes and intersections are not supported; escape the character with \\.');
      }
      const from = this.classAtom();
      const isRange = this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length;
      if (from.char === undefined || !isRange) {
        ranges.push(...from.ranges);
        continue;
      }
      const dash = this.pos++;
      const to = this.classAtom();
      if (to.char === undefined) throw new PatternError('A range cannot end in a class escape such as \\d', dash + 1);
      if (to.char < from.char) throw new PatternError('Character range out of order', dash, 'Write the lower end first, as in [a-z].');
      ranges.push(from.char, to.char);
    }
    this.pos++;
    const set = normalize(ranges);
    return negated ? complement(set) : set;
  }

  private classAtom(): { ranges: TRanges; char?: number } {
    if (this.src[this.pos] === '\\') return this.escape();
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return { ranges: [cp, cp], char: cp };
  }
}

// Opcodes. LITERAL/SET consume one code point; SPLIT, BEGIN and END are followed without consuming.
const MATCH = 0;
const LITERAL = 1;
const SET = 2;
const SPLIT = 3;
const BEGIN = 4;
const END = 5;

type TProgram = { start: number; op: Uint8Array; out1: Int32Array; out2: Int32Array; arg: Int32Array; sets: Int32Array[] };

/** Emits NFA states back to front (each node is compiled knowing its continuation), so no patch lists are needed. */
class ProgramBuilder {
  private readonly op: number[] = [];
  private readonly out1: number[] = [];
  private readonly out2: number[] = [];
  private readonly arg: number[] = [];
  private readonly sets: Int32Array[] = [];
  private readonly repeats: number[] = [];
  private work = 0;

  build(root: TNode): TProgram {
    const start = this.compile(root, this.add(MATCH));
    const { op, out1, out2, arg, sets } = this;
    return { start, op: Uint8Array.from(op), out1: Int32Array.from(out1), out2: Int32Array.from(out2), arg: Int32Array.from(arg), sets };
  }

  private add(op: number, out1 = -1, out2 = -1, arg = 0): number {
    if (this.op.length >= MAX_REGEX_STATES) throw this.tooBig();
    this.op.push(op);
    this.out1.push(out1);
    this.out2.push(out2);
    this.arg.push(arg);
    return this.op.length - 1;
  }

  private tooBig(): PatternError {
    // Blame the outermost repetition being expanded: that is the count that multiplies everything inside it.
    return new PatternError('The pattern is too large once its repetitions are expanded', this.repeats[0] ?? 0, `Use smaller counts in {n} repetitions (limit: ${MAX_REGEX_STATES} NFA states).`);
  }

  private compile(node: TNode, next: number): number {
    // Repetitions of empty groups create no states but still cost time: bound the walk as well.
    if (++this.work > 5 * MAX_REGEX_STATES) throw this.tooBig();
    switch (node.type) {
      case 'empty':
        return next;
      case 'begin':
        return this.add(BEGIN, next);
      case 'end':
        return this.add(END, next);
      case 'set':
        if (node.ranges.length === 2 && node.ranges[0] === node.ranges[1]) return this.add(LITERAL, next, -1, node.ranges[0]);
        this.sets.push(Int32Array.from(node.ranges));
        return this.add(SET, next, -1, this.sets.length - 1);
      case 'concat':
        for (let i = node.items.length - 1; i >= 0; i--) next = this.compile(node.items[i], next);
        return next;
      case 'alt': {
        let start = this.compile(node.options[node.options.length - 1], next);
        for (let i = node.options.length - 2; i >= 0; i--) start = this.add(SPLIT, this.compile(node.options[i], next), start);
        return start;
      }
      case 'repeat':
        return this.repeat(node, next);
    }
  }

  private repeat({ node, min, max, position }: Extract<TNode, { type: 'repeat' }>, next: number): number {
    this.repeats.push(position);
    let cur = next;
    let copies = min;
    if (max === Infinity) {
      const loop = this.add(SPLIT, -1, next);
      const body = this.compile(node, loop);
      this.out1[loop] = body;
      // x{n,} = n-1 copies, then a copy that loops back (x+); x* may skip the body altogether.
      cur = min > 0 ? body : loop;
      copies = Math.max(min - 1, 0);
    } else {
      // x{n,m} = n copies, then m-n nested optional copies: x…x(x(x)?)?
      for (let i = min; i < max; i++) cur = this.add(SPLIT, this.compile(node, cur), next);
    }
    for (let i = 0; i < copies; i++) cur = this.compile(node, cur);
    this.repeats.pop();
    return cur;
  }
}

// Java's non-multiline `$`: at the end, or before one final line terminator (never between \r and \n).
function isAtEnd(input: string, pos: number): boolean {
  const rest = input.length - pos;
  if (rest === 0) return true;
  if (rest === 2) return input.charCodeAt(pos) === 0x0d && input.charCodeAt(pos + 1) === 0x0a;
  if (rest !== 1) return false;
  const c = input.charCodeAt(pos);
  if (c === 0x0a) return !(pos > 0 && input.charCodeAt(pos - 1) === 0x0d);
  return c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

function inRanges(ranges: Int32Array, cp: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (cp < ranges[i]) return false;
    if (cp <= ranges[i + 1]) return true;
  }
  return false;
}

/** Simulates all NFA threads in lock step; buffers are allocated once per compiled regex and reused. */
class NfaMatcher implements TSafeRegex {
  private readonly visited: Int32Array;
  private generation = 0;
  private current: Int32Array;
  private next: Int32Array;
  private readonly stack: Int32Array;

  constructor(private readonly program: TProgram) {
    const n = program.op.length;
    this.visited = new Int32Array(n);
    this.current = new Int32Array(n);
    this.next = new Int32Array(n);
    this.stack = new Int32Array(n);
  }

  test(input: string): boolean {
    const { op, out1, arg, sets } = this.program;
    this.newGeneration();
    let count = this.follow(this.program.start, input, 0, this.current, 0);
    for (let pos = 0; pos < input.length; ) {
      if (count === 0) return false;
      const cp = input.codePointAt(pos)!; // by code point, as Java matches supplementary characters
      pos += cp > 0xffff ? 2 : 1;
      this.newGeneration();
      let nextCount = 0;
      for (let i = 0; i < count; i++) {
        const pc = this.current[i];
        const o = op[pc];
        if ((o === LITERAL && arg[pc] === cp) || (o === SET && inRanges(sets[arg[pc]], cp))) {
          nextCount = this.follow(out1[pc], input, pos, this.next, nextCount);
        }
      }
      const done = this.current; // swap without allocating
      this.current = this.next;
      this.next = done;
      count = nextCount;
    }
    for (let i = 0; i < count; i++) if (op[this.current[i]] === MATCH) return true;
    return false;
  }

  private newGeneration(): void {
    if (++this.generation === 0x7fffffff) {
      this.visited.fill(0);
      this.generation = 1;
    }
  }

  /** Adds `from` and everything reachable from it without consuming input to `list`; returns the new length. */
  private follow(from: number, input: string, pos: number, list: Int32Array, count: number): number {
    const { op, out1, out2 } = this.program;
    const { visited, stack, generation } = this;
    let top = 0;
    if (visited[from] !== generation) {
      visited[from] = generation;
      stack[top++] = from;
    }
    while (top > 0) {
      const pc = stack[--top];
      const o = op[pc];
      if (o === LITERAL || o === SET || o === MATCH) {
        list[count++] = pc;
        continue;
      }
      if (o === BEGIN && pos !== 0) continue;
      if (o === END && !isAtEnd(input, pos)) continue;
      const a = out1[pc];
      if (visited[a] !== generation) {
        visited[a] = generation;
        stack[top++] = a;
      }
      const b = out2[pc];
      if (o === SPLIT && visited[b] !== generation) {
        visited[b] = generation;
        stack[top++] = b;
      }
    }
    return count;
  }
}

/** Compiles a user pattern (Java syntax subset) into a matcher that runs in O(pattern × input) time. */
export function compileSafeRegex(pattern: string): { ok: true; regex: TSafeRegex } | TSafeRegexFailure {
  try {
    if (pattern.length > MAX_PATTERN_LENGTH) {
      throw new PatternError(`The pattern is longer than ${MAX_PATTERN_LENGTH} characters`, MAX_PATTERN_LENGTH);
    }
    const program = new ProgramBuilder().build(new PatternParser(pattern).parse());
    return { ok: true, regex: new NfaMatcher(program) };
  } catch (e) {
    if (!(e instanceof PatternError)) throw e;
    const error = `${e.reason} at position ${e.position}.${e.hint ? ` ${e.hint}` : ''}`;
    return { ok: false, error, position: e.position, reason: e.reason, hint: e.hint };
  }
}

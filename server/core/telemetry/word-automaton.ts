/**
 * Wildcard words (`?` one character, `*` any run) matched against every word of a line in one
 * left-to-right pass, with no backtracking: a bit-parallel automaton (shift-and, Baeza-Yates–Gonnet)
 * where `*` is a state that loops on any character. A term with m non-star characters owns m + 1
 * state bits (bit i: "the first i characters matched"). Short terms share 32-bit lanes; a longer
 * term gets a lane of several words. A line costs O(length × lanes) whatever the patterns are.
 */

/** Guide §3.1.2 delimiters plus whitespace (what `\s` matches), as the word split has always used. */
const DELIMITERS = new Uint8Array(128);
for (const c of ',\'";=()[]{}@&<>/:\n\t\r \v\f') DELIMITERS[c.charCodeAt(0)] = 1;

function isDelimiter(c: number): boolean {
  if (c < 128) return DELIMITERS[c] === 1;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const STAR = 42;
const ANY = 63;

type TTermLayout = { term: string; states: number; lane: number; base: number };

/** First fit: terms of ≤ 32 states share lanes of one word; longer terms get a lane of their own. */
function layOut(terms: readonly string[]): { layouts: TTermLayout[]; laneWidths: number[] } {
  const laneWidths: number[] = [];
  const laneUsed: number[] = [];
  const layouts = terms.map((term) => {
    let states = 1;
    for (let i = 0; i < term.length; i++) if (term.charCodeAt(i) !== STAR) states++;
    let lane = states <= 32 ? laneUsed.findIndex((used, l) => laneWidths[l] === 1 && used + states <= 32) : -1;
    if (lane < 0) {
      lane = laneWidths.push(Math.ceil(states / 32)) - 1;
      laneUsed.push(0);
    }
    const base = laneUsed[lane];
    laneUsed[lane] += states;
    return { term, states, lane, base };
  });
  return { layouts, laneWidths };
}

export class WordAutomaton {
  private readonly words: number;
  private readonly laneOffset: Int32Array;
  private readonly laneWidth: Int32Array;
  /** Each term's initial state: where every word starts. */
  private readonly start: Int32Array;
  /** States with a `*` self-loop: they stay set on any character. */
  private readonly loops: Int32Array;
  /** Each term's final state: set at the end of a word means the word matched. */
  private readonly accepts: Int32Array;
  /** Positions a `?` holds: any character advances them (the mask of characters no term names). */
  private readonly anyChar: Int32Array;
  private readonly asciiMasks: Int32Array;
  private readonly otherMasks = new Map<number, Int32Array>();
  private readonly termOfBit: Uint16Array;
  private readonly state: Int32Array;
  private readonly found: Int32Array;

  /** `terms` are lowercase words without delimiters; each may hold `?` and `*`. */
  constructor(terms: readonly string[]) {
    const { layouts, laneWidths } = layOut(terms);
    this.laneWidth = Int32Array.from(laneWidths.length ? laneWidths : [1]);
    this.laneOffset = new Int32Array(this.laneWidth.length);
    for (let l = 1; l < this.laneWidth.length; l++) this.laneOffset[l] = this.laneOffset[l - 1] + this.laneWidth[l - 1];
    const words = this.laneOffset[this.laneOffset.length - 1] + this.laneWidth[this.laneWidth.length - 1];
    this.words = words;
    const vector = () => new Int32Array(words);
    this.start = vector();
    this.loops = vector();
    this.accepts = vector();
    this.anyChar = vector();
    this.state = vector();
    this.found = vector();
    this.termOfBit = new Uint16Array(words * 32);
    const setBit = (v: Int32Array, bit: number) => (v[bit >>> 5] |= 1 << (bit & 31));
    const charBits: [bit: number, code: number][] = [];
    layouts.forEach(({ term, lane, base }, index) => {
      const first = this.laneOffset[lane] * 32 + base;
      let matched = 0;
      for (let i = 0; i < term.length; i++) {
        const code = term.charCodeAt(i);
        if (code === STAR) setBit(this.loops, first + matched);
        else if (code === ANY) setBit(this.anyChar, first + ++matched);
        else charBits.push([first + ++matched, code]);
      }
      setBit(this.start, first);
      setBit(this.accepts, first + matched);
      this.termOfBit[first + matched] = index;
    });
    this.asciiMasks = new Int32Array(128 * words);
    for (let c = 0; c < 128; c++) this.asciiMasks.set(this.anyChar, c * words);
    for (const [bit, code] of charBits) {
      if (code < 128) {
        this.asciiMasks[code * words + (bit >>> 5)] |= 1 << (bit & 31);
      } else {
        let mask = this.otherMasks.get(code);
        if (!mask) this.otherMasks.set(code, (mask = Int32Array.from(this.anyChar)));
        setBit(mask, bit);
      }
    }
  }

  /** Sets `hits[t]` to 1 for each term t that matches a whole word of `line` (already lowercase), else 0. */
  scan(line: string, hits: Uint8Array): void {
    const { words, found } = this;
    if (words === 1) found[0] = this.scanOneWord(line);
    else this.scanLanes(line);
    hits.fill(0);
    for (let w = 0; w < words; w++) {
      for (let v = found[w]; v !== 0; v &= v - 1) hits[this.termOfBit[w * 32 + 31 - Math.clz32(v & -v)]] = 1;
    }
  }

  /** The common case, every state in one 32-bit word: returns the final states reached at word ends. */
  private scanOneWord(line: string): number {
    const start = this.start[0];
    const loops = this.loops[0];
    const accepts = this.accepts[0];
    const anyChar = this.anyChar[0];
    const ascii = this.asciiMasks;
    let state = start;
    let found = 0;
    let inWord = false;
    for (let i = 0; i <= line.length; i++) {
      const c = i < line.length ? line.charCodeAt(i) : 32;
      if (isDelimiter(c)) {
        if (inWord) {
          found |= state & accepts;
          state = start;
          inWord = false;
        }
        continue;
      }
      inWord = true;
      if (state === 0) continue; // every term already failed on this word: skip to its end
      const mask = c < 128 ? ascii[c] : (this.otherMasks.get(c)?.[0] ?? anyChar);
      state = ((state << 1) & mask) | (state & loops);
    }
    return found;
  }

  /** Word by word, lane by lane: a lane's state stays in a register while it reads the word, and stops once it dies. */
  private scanLanes(line: string): void {
    const { found, laneOffset, laneWidth } = this;
    found.fill(0);
    const n = line.length;
    let i = 0;
    for (;;) {
      while (i < n && isDelimiter(line.charCodeAt(i))) i++;
      if (i >= n) return;
      let end = i;
      while (end < n && !isDelimiter(line.charCodeAt(end))) end++;
      for (let l = 0; l < laneWidth.length; l++) {
        if (laneWidth[l] === 1) found[laneOffset[l]] |= this.runNarrowLane(line, i, end, laneOffset[l]);
        else this.runWideLane(line, i, end, laneOffset[l], laneWidth[l]);
      }
      i = end;
    }
  }

  private runNarrowLane(line: string, from: number, to: number, o: number): number {
    const { words, asciiMasks } = this;
    const loops = this.loops[o];
    let s = this.start[o];
    for (let k = from; k < to && s !== 0; k++) {
      const c = line.charCodeAt(k);
      const mask = c < 128 ? asciiMasks[c * words + o] : (this.otherMasks.get(c) ?? this.anyChar)[o];
      s = ((s << 1) & mask) | (s & loops);
    }
    return s & this.accepts[o];
  }

  private runWideLane(line: string, from: number, to: number, o: number, width: number): void {
    const { words, state, loops, asciiMasks } = this;
    const end = o + width;
    for (let w = o; w < end; w++) state[w] = this.start[w];
    for (let k = from; k < to; k++) {
      const c = line.charCodeAt(k);
      let masks = asciiMasks;
      let m = c * words;
      if (c >= 128) {
        masks = this.otherMasks.get(c) ?? this.anyChar;
        m = 0;
      }
      let carry = 0;
      let any = 0;
      for (let w = o; w < end; w++) {
        const s = state[w];
        if (s === 0 && carry === 0) continue; // nothing here or shifting in: stays empty
        const next = (((s << 1) | carry) & masks[m + w]) | (s & loops[w]);
        carry = s >>> 31;
        state[w] = next;
        any |= next;
      }
      if (any === 0) return;
    }
    for (let w = o; w < end; w++) this.found[w] |= state[w] & this.accepts[w];
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { CoreError } from '../errors';
import { InstanceLogs } from './instance-logs';
import { compileLogQuery, indexFilter } from './log-search';

const lines = [
  '2026-11-22 00:00:31 INFO customize_service: iris predicted 2 row(s): Iris-setosa, Iris-virginica',
  'Traceback: ValueError: bad error in query logs',
  'Start to refresh the cache',
  'an erXor happened',
];
const find = (q: string) => lines.filter(compileLogQuery(q));

describe('log keyword search (guide §3.1.2)', () => {
  it('matches exact words between delimiters, case-insensitively', () => {
    expect(find('iris')).toEqual([lines[0]]);
    expect(find('ERROR')).toEqual([lines[1]]);
    expect(find('erro')).toEqual([]);
  });
  it('supports ? and * wildcards', () => {
    expect(find('er?or')).toEqual([lines[1], lines[3]]);
    expect(find('rro*')).toEqual([]);
    expect(find('*rro*')).toEqual([lines[1]]);
    expect(find('er*r')).toEqual([lines[1], lines[3]]);
  });
  it('matches phrases', () => {
    expect(find('Start to refresh')).toEqual([lines[2]]);
  });
  it('combines with && / || and AND / OR', () => {
    expect(find('query logs&&erro*')).toEqual([lines[1]]);
    expect(find('iris||refresh')).toEqual([lines[0], lines[2]]);
    expect(find('iris OR refresh')).toEqual([lines[0], lines[2]]);
    expect(find('bad AND cache')).toEqual([]);
  });
  it('matches everything when empty', () => {
    expect(find('  ')).toEqual(lines);
  });
});

describe('log keyword search stays linear on adversarial queries (issue 5 §1)', () => {
  // 10,000 lines around one 200-character word: the shape that blocked the event loop for 16 s.
  const corpus = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? `${'a'.repeat(200)} ${i}` : `${'ab'.repeat(100)}c req-${i}`));
  const timed = (query: string) => {
    const started = performance.now();
    const hits = corpus.filter(compileLogQuery(query)).length;
    return { hits, ms: performance.now() - started };
  };

  it.each([
    '*a*a*a*a*ab',
    '?*?*?*?*?*b',
    '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab',
    `${'*a'.repeat(30)}*b&&*?*?*?*?*?*?*c`,
    Array.from({ length: 36 }, (_, i) => `*a*${String.fromCharCode(98 + (i % 24))}*a*z`).join('||').slice(0, 256),
    `${'?'.repeat(199)}b||${'a*'.repeat(27)}`,
  ])('%s over 10,000 lines answers in < 100 ms', (query) => {
    timed(query); // warm-up: compile paths and inline caches, as a long-running server would have them
    const { ms } = timed(query);
    expect(ms).toBeLessThan(100);
  });

  it('still finds what the adversarial patterns describe', () => {
    expect(timed('*a*a*a*a*ab').hits).toBe(0);
    expect(timed('*b*b*bc').hits).toBe(5_000);
    expect(timed('?'.repeat(200)).hits).toBe(5_000);
    expect(timed('?'.repeat(201)).hits).toBe(5_000);
    expect(timed('?'.repeat(202)).hits).toBe(0);
    expect(timed('*9999').hits).toBe(1);
    expect(timed('req-?99?').hits).toBe(45); // odd i in 1000…9999 of the form x99y
    expect(find('*e?r?r*||refresh&&*cache')).toEqual([lines[1], lines[2]]);
  });

  it('answers like a reference regex on small random patterns and lines', () => {
    // Backtracking is harmless at this size, so the regex is a trustworthy oracle for the automaton.
    const reference = (term: string, line: string) => {
      const re = new RegExp(`^${term.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      return line.toLowerCase().split(/[,'";=()[\]{}@&<>/:\n\t\r\s]+/).some((w) => w && re.test(w));
    };
    const term = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '?', '*'), minLength: 1, maxLength: 40 });
    const line = fc.string({ unit: fc.constantFrom('a', 'B', 'b', 'é', ' ', ',', '/'), maxLength: 60 });
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 6 }), line, (terms, text) => {
        expect(compileLogQuery(terms.join('||'))(text)).toBe(terms.some((t) => reference(t, text)));
        expect(compileLogQuery(terms.join('&&'))(text)).toBe(terms.every((t) => reference(t, text)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a query longer than 256 characters, naming the keyword field', () => {
    expect(() => compileLogQuery('a'.repeat(256))).not.toThrow();
    let caught: unknown;
    try {
      compileLogQuery('*a'.repeat(129));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CoreError);
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'keyword', message: expect.stringContaining('256 characters') });
  });

  it('InstanceLogs.query applies the same cap, so every door (REST, tRPC) gets a 400 with the field', () => {
    const db = openDatabase(':memory:');
    const logs = new InstanceLogs(db);
    logs.append('svc', 'inst', 'stdout', 'hello world');
    const query = (keyword: string) => logs.query({ serviceId: 'svc', range: { kind: 'last', minutes: 5 }, keyword });
    expect(query('hello').lines.map((l) => l.line)).toEqual(['hello world']);
    expect(() => query('h'.repeat(257))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'keyword' }));
    db.close();
  });
});

describe('the index filter (FTS5 trigram) narrows, never decides', () => {
  it('keeps the literals of three characters or more of every alternative', () => {
    expect(indexFilter('error')).toBe('("error")');
    expect(indexFilter('er?or')).toBeNull();
    expect(indexFilter('conn*refused && "time out"')).toBe('("conn" AND "refused" AND "time out")');
    expect(indexFilter('timeout || disk full')).toBe('("timeout") OR ("disk full")');
    expect(indexFilter('timeout OR ab')).toBeNull();
    expect(indexFilter('say "hi"')).toBe('("say ""hi""")');
    expect(indexFilter('')).toBeNull();
  });
  it('treats a quoted term as a phrase', () => {
    expect(lines.filter(compileLogQuery('"refresh the"'))).toEqual([lines[2]]);
    expect(lines.filter(compileLogQuery('"erXor"'))).toEqual([lines[3]]);
  });
  it('finds through the index exactly what the scan finds', () => {
    const db = openDatabase(':memory:');
    const logs = new InstanceLogs(db);
    const corpus = ['GET /predict 200 12ms', 'ERROR connection refused by 10.0.0.7', 'error: Connection-Refused (retry 3)', 'warn: slow disk full soon', 'disk is full', 'an erXor happened'];
    for (let i = 0; i < 600; i++) logs.append('svc', i % 2 ? 'inst-a' : 'inst-b', 'stdout', `${corpus[i % corpus.length]} #${i}`);
    for (const keyword of ['error', 'connection && refused', '"disk full"', 'disk || erxor', 'er?or', 'refus*', 'full']) {
      const byIndex = logs.query({ serviceId: 'svc', range: { kind: 'last', minutes: 60 }, keyword, limit: 2000 }).lines.map((l) => l.line);
      const byScan = Array.from({ length: 600 }, (_, i) => `${corpus[i % corpus.length]} #${i}`).filter(compileLogQuery(keyword));
      expect(byIndex).toEqual(byScan);
    }
    const one = logs.query({ serviceId: 'svc', range: { kind: 'last', minutes: 60 }, keyword: 'disk', instanceId: 'inst-a', limit: 2000 }).lines;
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((l) => l.instanceId === 'inst-a')).toBe(true);
  });
});

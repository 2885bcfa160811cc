import { describe, expect, it } from 'vitest';
import { compileLogQuery } from './log-search';

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

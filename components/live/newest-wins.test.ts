import { expect, it } from 'vitest';
import { newerDetail, newerList, newerOf } from './newest-wins';

const at = (id: string, updatedAt: number, status: string) => ({ id, updatedAt, status });

it('keeps a pushed update when an older fetch answers after it', () => {
  const pushed = at('a', 200, 'running');
  const staleFetch = at('a', 100, 'deploying');
  expect(newerOf(pushed, staleFetch)).toBe(pushed);
  expect(newerDetail(pushed, staleFetch)).toBe(pushed);
  expect(newerList([pushed, at('b', 5, 'stopped')], [staleFetch, at('b', 6, 'running')])).toEqual([pushed, at('b', 6, 'running')]);
});

it('takes the fetched copy when it is as new or newer, and services new to the list', () => {
  expect(newerOf(at('a', 100, 'deploying'), at('a', 100, 'deploying'))).toEqual(at('a', 100, 'deploying'));
  expect(newerList([at('a', 1, 'x')], [at('a', 2, 'y'), at('c', 1, 'z')])).toEqual([at('a', 2, 'y'), at('c', 1, 'z')]);
  expect(newerList(undefined, [at('a', 1, 'x')])).toEqual([at('a', 1, 'x')]);
});

import { describe, expect, it } from 'vitest';
import { compileRules } from './rules/service-rules';
import { pickVersion, ruleContext, WeightedVersions } from './version-picker';

const identity = { userId: 'u1', userName: 'zhangsan', domainId: 'd1', domainName: 'anvil', projectId: 'p1', projectName: 'default' };
const project = { id: 'p1', name: 'default' };

describe('WeightedVersions', () => {
  it('holds an 80/20 split exactly over every 100 requests, interleaved rather than in blocks', () => {
    const w = new WeightedVersions([{ id: 'v1', weight: 80 }, { id: 'v2', weight: 20 }]);
    const picks = Array.from({ length: 10_000 }, () => w.next());
    expect(picks.filter((p) => p === 'v2')).toHaveLength(2000);
    for (let i = 0; i < 10_000; i += 100) expect(picks.slice(i, i + 100).filter((p) => p === 'v2')).toHaveLength(20);
    expect(picks.slice(0, 10)).toEqual(['v1', 'v1', 'v2', 'v1', 'v1', 'v1', 'v1', 'v2', 'v1', 'v1']);
  });

  it('splits three versions 70/20/10', () => {
    const w = new WeightedVersions([{ id: 'a', weight: 70 }, { id: 'b', weight: 20 }, { id: 'c', weight: 10 }]);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) counts[w.next()]++;
    expect(counts).toEqual({ a: 700, b: 200, c: 100 });
  });
});

describe('pickVersion', () => {
  const rules = compileRules(
    JSON.stringify([
      { condition: "#HEADER_version == '0.0.2'", versionId: 'v2', headerName: 'X-Config', headerValue: 'B' },
      { condition: '#HEADER_uid.hashCode() % 100 < 10', versionId: 'v2', headerName: '', headerValue: '' },
      { condition: "#USER_NAME matches 'zhang.*'", versionId: 'v3', headerName: '', headerValue: '' },
    ]),
  );
  const weights = () => new WeightedVersions([{ id: 'v1', weight: 100 }]);
  const pick = (headers: Record<string, string>, who: typeof identity | null = identity) => pickVersion(rules, weights(), () => ruleContext(headers, who ?? undefined, project));

  it('takes the first matching rule and its header', () => {
    expect(pick({ version: '0.0.2', uid: 'user-1007' })).toEqual({ versionId: 'v2', header: ['X-Config', 'B'] });
  });
  it('buckets by Java hashCode: user-1007 (bucket 0) and uid-10 (a negative remainder) go to v2; uid-1 does not', () => {
    expect(pick({ uid: 'user-1007' }, null).versionId).toBe('v2');
    expect(pick({ uid: 'uid-10' }, null).versionId).toBe('v2');
    expect(pick({ uid: 'uid-1' }, null).versionId).toBe('v1');
  });
  it('matches the caller’s user name; an app caller has none and follows the weights', () => {
    expect(pick({})).toEqual({ versionId: 'v3', header: undefined });
    expect(pick({}, null)).toEqual({ versionId: 'v1' });
  });
  it('a header longer than 4096 characters matches no rule', () => {
    expect(pick({ version: '0.0.2'.padEnd(5000, ' ') }, null).versionId).toBe('v1');
  });
});

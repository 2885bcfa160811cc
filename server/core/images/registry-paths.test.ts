import { describe, expect, it } from 'vitest';
import { ZImageRepositoryNameSchema, ZImageTagSchema } from '../../contracts/images';
import { isInProject, parseRegistryPath } from './registry-paths';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('registry paths the gate lets through', () => {
  it('finds the repository name of every v2 repository route', () => {
    expect(parseRegistryPath('/v2/')).toEqual({ kind: 'base' });
    expect(parseRegistryPath('/v2')).toEqual({ kind: 'base' });
    expect(parseRegistryPath('/v2/_catalog')).toEqual({ kind: 'catalog' });
    for (const rest of ['tags/list', 'manifests/v1.0', `manifests/${DIGEST}`, `blobs/${DIGEST}`, 'blobs/uploads/', 'blobs/uploads/0f17bf5a-1cee-46c2-a58c-4f16b1ff04a4']) {
      expect(parseRegistryPath(`/v2/proj/team/app/${rest}`)).toEqual({ kind: 'repository', name: 'proj/team/app' });
    }
  });

  it('takes the name greedily, as the registry does', () => {
    expect(parseRegistryPath('/v2/proj/manifests/manifests/latest')).toEqual({ kind: 'repository', name: 'proj/manifests' });
  });

  it('matches nothing for escapes, dot segments, upper case or unknown routes', () => {
    for (const p of ['/v2/proj%2Fx/tags/list', '/v2/proj/../other/x/tags/list', '/v2/Proj/x/tags/list', '/v2/proj/x/whatever', '/v1/proj/x/tags/list', '/v2/proj/x/blobs/uploads/a%2Fb']) {
      expect(parseRegistryPath(p)).toEqual({ kind: 'unknown' });
    }
  });

  it('answers at once for long near-miss paths (no catastrophic backtracking)', () => {
    const started = performance.now();
    parseRegistryPath(`/v2/${'a1'.repeat(2000)}-${'b'.repeat(2000)}/blobs/uploads/x?`);
    parseRegistryPath(`/v2/proj/${'ab-'.repeat(3000)}!/tags/list`);
    ZImageRepositoryNameSchema.safeParse(`${'a'.repeat(150)}!`);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('keeps a project to <project>/… and not a longer project name or the bare namespace', () => {
    expect(isInProject('team-a/app', 'team-a')).toBe(true);
    expect(isInProject('team-a/x/y', 'team-a')).toBe(true);
    expect(isInProject('team-a', 'team-a')).toBe(false);
    expect(isInProject('team-a/', 'team-a')).toBe(false);
    expect(isInProject('team-ab/app', 'team-a')).toBe(false);
    expect(isInProject('other/app', 'team-a')).toBe(false);
  });
});

describe('repository and tag names', () => {
  it('accepts Docker names and refuses the rest', () => {
    for (const ok of ['app', 'team/app', 'a.b_c__d--e', 'a-b/c.d']) expect(ZImageRepositoryNameSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['App', '-app', 'app-', 'a//b', '/app', 'a b', '', 'a___b']) expect(ZImageRepositoryNameSchema.safeParse(bad).success).toBe(false);
    for (const ok of ['latest', 'v1.0', '_x', '1']) expect(ZImageTagSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['.x', '-x', 'a/b', 'x'.repeat(129), '']) expect(ZImageTagSchema.safeParse(bad).success).toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type TDatabase } from '../db/database';
import { RegistryCredentials } from './registry-credentials';

let db: TDatabase;
let credentials: RegistryCredentials;
const teamA = { id: 'project-a', name: 'team-a' };
const teamB = { id: 'project-b', name: 'team-b' };

beforeEach(() => {
  db = openDatabase(':memory:');
  db.prepare("INSERT INTO domains (id, name, created_at) VALUES ('d', 'anvil', 0)").run();
  for (const p of [teamA, teamB]) db.prepare("INSERT INTO projects (id, domain_id, name, created_at) VALUES (?, 'd', ?, 0)").run(p.id, p.name);
  credentials = new RegistryCredentials(db);
});
afterEach(() => db.close());

describe('registry credentials', () => {
  it('creates one credential per project on first request, named after the project', () => {
    const first = credentials.get(teamA);
    expect(first.username).toBe('team-a');
    expect(first.password).toMatch(/^[\w-]{32}$/);
    expect(credentials.get(teamA)).toEqual(first);
    expect(credentials.get(teamB).password).not.toBe(first.password);
  });

  it('verifies the right pair only', () => {
    const { password } = credentials.get(teamA);
    expect(credentials.verify('team-a', password)).toEqual(teamA);
    expect(credentials.verify('team-a', `${password}x`)).toBeUndefined();
    expect(credentials.verify('team-b', password)).toBeUndefined();
    expect(credentials.verify('nobody', password)).toBeUndefined();
    expect(credentials.verify('team-a', '')).toBeUndefined();
  });

  it('reset revokes the old password at once', () => {
    const old = credentials.get(teamA).password;
    const renewed = credentials.reset(teamA);
    expect(renewed.password).not.toBe(old);
    expect(credentials.verify('team-a', old)).toBeUndefined();
    expect(credentials.verify('team-a', renewed.password)).toEqual(teamA);
  });

  it('goes with its project', () => {
    credentials.get(teamB);
    db.prepare('DELETE FROM projects WHERE id = ?').run(teamB.id);
    expect(db.prepare('SELECT COUNT(*) AS n FROM registry_credentials').get()).toEqual({ n: 0 });
  });
});

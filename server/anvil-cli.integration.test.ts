/** `npm run anvil` (scripts/anvil-cli.ts) as an operator runs it, then the users it made log in to a real Anvil. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestAnvil, type TTestAnvil } from './test-support/anvil-harness';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-cli-'));
let anvil: TTestAnvil | undefined;

function anvilCli(...args: string[]) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/anvil-cli.ts', ...args], {
    env: { ...process.env, ANVIL_DATA_DIR: dataDir, ANVIL_ADMIN_PASSWORD: ADMIN_PASSWORD },
    encoding: 'utf8',
  });
  return { code: out.status, stdout: out.stdout.trim(), stderr: out.stderr.trim() };
}

afterAll(async () => {
  await anvil?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run anvil', () => {
  it('adds projects and users, lists them, and refuses bad input naming the option', () => {
    expect(anvilCli('project', 'add', 'team-b')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created project team-b \(id [0-9a-f-]{36}\)\.$/) });
    expect(anvilCli('user', 'add', 'bob', '--password', 'bob-password', '--project', 'team-b')).toMatchObject({ code: 0, stdout: 'Created user bob, member of team-b.' });
    expect(anvilCli('user', 'add', 'carol', '--password', 'carol-password', '--project', 'team-b', '--project', 'default', '--admin')).toMatchObject({
      code: 0,
      stdout: 'Created user carol (administrator), member of default, team-b.',
    });
    expect(anvilCli('user', 'list').stdout.split('\n')).toEqual(['USER   ADMIN  PROJECTS', 'admin  yes    default', 'bob    no     team-b', 'carol  yes    default, team-b']);
    expect(anvilCli('user', 'add', 'dan', '--password', 'short', '--project', 'team-b')).toMatchObject({ code: 1, stderr: '--password: At least 8 characters.' });
    expect(anvilCli('user', 'add', 'dan', '--password', 'dan-password', '--project', 'nope')).toMatchObject({ code: 1, stderr: '--project: Project nope does not exist.' });
    expect(anvilCli('user', 'add', 'bob', '--password', 'bob-password', '--project', 'team-b')).toMatchObject({ code: 1, stderr: 'name: A user named bob already exists.' });
    expect(anvilCli('user', 'remove', 'bob')).toMatchObject({ code: 1, stderr: expect.stringContaining('Unknown command: user remove bob') });
  });

  it('made users that log in to their projects only', async () => {
    anvil = await startTestAnvil(dataDir);
    const token = (user: string, password: string, project: string) =>
      fetch(`${anvil!.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: 'anvil' } } } }, scope: { project: { name: project } } } }),
      });
    expect((await token('bob', 'bob-password', 'team-b')).status).toBe(201);
    expect((await token('bob', 'bob-password', 'default')).status).toBe(403);
    expect((await token('carol', 'carol-password', 'default')).status).toBe(201);
    expect((await token('admin', ADMIN_PASSWORD, 'default')).status).toBe(201);
  });
});

/** Upgrading an installation from before projects: its buckets keep working, owned by the default project. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestAnvil } from './test-support/anvil-harness';

describe('an installation from before projects', () => {
  it('keeps its buckets: folders without an owner go to the default project at start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-it-legacy-'));
    fs.mkdirSync(path.join(dataDir, 'obs', 'legacy-models', 'iris'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'obs', 'legacy-models', 'iris', 'notes.txt'), 'from before projects');
    const old = await startTestAnvil(dataDir);
    try {
      const res = await fetch(`${old.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: ADMIN_PASSWORD, domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } } }),
      });
      const adminToken = res.headers.get('x-subject-token')!;
      expect(await (await fetch(`${old.url}/obs/legacy-models/iris/notes.txt`, { headers: { 'x-auth-token': adminToken } })).text()).toBe('from before projects');
    } finally {
      await old.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

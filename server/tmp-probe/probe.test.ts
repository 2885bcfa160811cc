import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
import { ADMIN_PASSWORD, startTestAnvil } from '../test-support/anvil-harness';
it('probe', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-it-legacy-'));
  fs.mkdirSync(path.join(dataDir, 'obs', 'legacy-models', 'iris'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'obs', 'legacy-models', 'iris', 'notes.txt'), 'from before projects');
  const old = await startTestAnvil(dataDir);
  console.log('started');
  const res = await fetch(`${old.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: ADMIN_PASSWORD, domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } } }),
  });
  console.log('token', res.status);
  const adminToken = res.headers.get('x-subject-token')!;
  const r2 = await fetch(`${old.url}/obs/legacy-models/iris/notes.txt`, { headers: { 'x-auth-token': adminToken } });
  console.log('obs', r2.status, r2.headers.get('content-length'));
  console.log(await r2.text());
  await old.close();
  console.log('closed');
}, 20000);

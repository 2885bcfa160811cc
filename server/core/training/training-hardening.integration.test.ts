/**
 * Training jobs against hostile code and bad timing (regressions of a review):
 * - a job that leaves a process behind (its own session) to swap output folders for links to
 *   Anvil-readable files while the output is saved gets none of those files into its bucket;
 * - a stray log line of a deleted job's run neither fails other runs' log writes nor leaves another
 *   run `running` forever;
 * - Anvil stopping while a run is pending leaves no process and no unhandled error.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';
import type { RuntimeDriver, TInstanceHooks, TInstanceSpec } from '../runtime/runtime-driver';
import { TrainingJobs } from './training-jobs';

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
const call = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${anvil.url}${p}`, { method, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' }, body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const jobs = () => `/v1/${auth.projectId}/training-jobs`;
const put = (key: string, text: string) => call('PUT', `/obs/${key}`, Buffer.from(text));
const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-secret-'));

beforeAll(async () => {
  fs.chmodSync(secretDir, 0o700);
  fs.writeFileSync(path.join(secretDir, 'stolen.txt'), 'TOP-SECRET', { mode: 0o600 });
  anvil = await startTestAnvil();
  auth = await getToken(anvil.url);
  for (const b of ['code', 'out']) expect((await call('PUT', `/obs/${b}`)).status).toBe(201);
}, 120_000);
afterAll(async () => {
  await anvil?.close();
  fs.rmSync(secretDir, { recursive: true, force: true });
});

describe('a job that races the saving of its output', () => {
  // The job ends with 0 while a process of its own session waits, then swaps folders it listed for links.
  const RACE = `
import os, sys, time
args = dict(a[2:].split('=', 1) for a in sys.argv[1:] if a.startswith('--'))
out = args['train_url']; targets = [args['secret'], args['data']]
for i in range(8):
    os.makedirs(os.path.join(out, 'z%d' % i))
    f = os.path.join(out, 'f%d' % i); os.makedirs(f)
    for j in range(1500): open(os.path.join(f, 'e%d' % j), 'w').close()
main = os.getpid()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        fd = os.open('/dev/null', os.O_RDWR)
        for s in (0, 1, 2): os.dup2(fd, s)
        while True:
            try: os.kill(main, 0); time.sleep(0.005)
            except OSError: break
        time.sleep(0.15)
        for i in range(8):
            z = os.path.join(out, 'z%d' % i)
            os.rename(z, z + '_x'); os.symlink(targets[i % 2], z)
        time.sleep(60)
    os._exit(0)
time.sleep(0.2)
print('main exits 0', flush=True)
`;
  it('gets no file the job itself could not read into its bucket', async () => {
    await put('code/evil/race.py', RACE);
    const created = await call('POST', jobs(), {
      job_name: 'race', code_dir: 'obs://code/evil/', boot_file: 'race.py', output_dir: 'obs://out/race/', specification: 'cpu.1u2g',
      hyperparameters: [{ name: 'secret', value: secretDir }, { name: 'data', value: anvil.dataDir }],
    });
    expect(created.status).toBe(201);
    await waitFor(async () => ['succeeded', 'failed'].includes((await call('GET', `${jobs()}/${created.body.job_id}`)).body.runs[0].status), 90_000, 'race job ended');
    const found = execSync(`find ${path.join(anvil.dataDir, 'obs', 'out')} \\( -name stolen.txt -o -name '*.db' -o -name '*.db-wal' \\) | head -5`).toString();
    expect(found).toBe('');
  }, 120_000);
});

describe('a stray log line', () => {
  it("of a deleted job's run does not keep another run running", async () => {
    await put('code/t/x.py', 'print(1)\n');
    const hooks = new Map<string, TInstanceHooks>();
    const driver = {
      capacity: () => ({ cpus: 4, memoryGiB: 8, gpus: 0 }),
      start: async (spec: TInstanceSpec, h: TInstanceHooks) => {
        hooks.set(spec.serviceId, h);
        return { instanceId: spec.instanceId, host: '127.0.0.1', port: 1, pid: 999_999 };
      },
      stop: async () => undefined,
    } as unknown as RuntimeDriver;
    const { db, bus, buckets } = anvil.core;
    const t = new TrainingJobs({ db, bus, buckets, jobDriver: () => ({ driver, nodeId: 'local' }) });
    const base = { codeDir: 'obs://code/t/', bootFile: 'x.py', flavor: 'cpu.1u2g' };
    const a = t.create(auth.projectId, { ...base, name: 'stray-a', outputDir: 'obs://out/stray-a/' });
    const b = t.create(auth.projectId, { ...base, name: 'stray-b', outputDir: 'obs://out/stray-b/' });
    await waitFor(async () => hooks.has(a.id) && hooks.has(b.id), 5000, 'both launched');
    hooks.get(a.id)!.onExit('exit code 1');
    t.remove(auth.projectId, a.id);
    hooks.get(a.id)!.onLog('stdout', 'a line of something the run left behind');
    hooks.get(b.id)!.onLog('stdout', 'b line');
    hooks.get(b.id)!.onExit('exit code 1');
    expect(t.get(auth.projectId, b.id).runs[0]).toMatchObject({ status: 'failed' });
    expect(t.logLines(auth.projectId, b.id).map((l) => l.line)).toEqual(['b line']);
    t.remove(auth.projectId, b.id);
    t.close();
  });
});

describe('Anvil stopping while a run is pending', () => {
  it('leaves no process of the job and no unhandled error', async () => {
    await put('code/big/sleep_marker.py', 'import time\nprint("started", flush=True)\ntime.sleep(30)\n');
    const dir = path.join(anvil.dataDir, 'obs', 'code', 'big');
    for (let i = 0; i < 20; i++) {
      fs.mkdirSync(path.join(dir, `d${i}`));
      for (let j = 0; j < 500; j++) fs.writeFileSync(path.join(dir, `d${i}`, `f${j}`), 'x');
    }
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('unhandledRejection', onError);
    try {
      const created = await call('POST', jobs(), { job_name: 'big', code_dir: 'obs://code/big/', boot_file: 'sleep_marker.py', output_dir: 'obs://out/big/', specification: 'cpu.1u2g' });
      expect(created.status).toBe(201);
      const { dataDir } = anvil;
      await anvil.close();
      await new Promise((r) => setTimeout(r, 3000));
      let ps = '';
      try {
        ps = execSync("pgrep -af 'sleep_marker[.]py'").toString();
      } catch {
        /* none: pgrep exits 1 */
      }
      expect(ps).toBe('');
      expect(errors).toEqual([]);
      anvil = await startTestAnvil(dataDir);
      auth = await getToken(anvil.url);
      expect((await call('GET', `${jobs()}/${created.body.job_id}`)).body.runs[0]).toMatchObject({ status: 'failed', status_reason: expect.stringMatching(/Anvil stopp/) });
    } finally {
      process.off('unhandledRejection', onError);
    }
  }, 90_000);
});

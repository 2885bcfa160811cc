/**
 * Issue 5 §3: compute specs mean something. An instance of a `cpu.1u2g` service is held to 2 GiB:
 * a prediction that allocates more fails with MemoryError (logged, the instance keeps serving) while
 * normal ones run; where the host lets Anvil create cgroups, memory the model spreads over forked
 * processes is capped too, and the kill is reported as out of memory.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

const GIB = 1024 ** 3;

let anvil: TTestAnvil;
let call: (p: string, init?: RequestInit) => Promise<Response>;
let projectId: string;
let modelId: string;
let hog: string;

type TServiceDetail = { status: string; instances: { id: string; pid: number }[] };
const detail = async (id: string) => (await (await call(`/v1/${projectId}/services/${id}`)).json()) as TServiceDetail;
const predict = (mib: number) => call(`/v1/infers/${hog}`, { method: 'POST', body: JSON.stringify({ mib }) });

async function deploy(name: string, envs: Record<string, string> = {}): Promise<string> {
  const body = { service_name: name, config: [{ model_id: modelId, specification: 'cpu.1u2g', instance_count: 1, envs }] };
  const res = await call(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { service_id: string }).service_id;
}

beforeAll(async () => {
  anvil = await startTestAnvil();
  const auth = await getToken(anvil.url);
  projectId = auth.projectId;
  call = (p, init = {}) => fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' } });
  await call('/obs/models', { method: 'PUT' });
  await call('/obs/models/hog?extract=zip', { method: 'PUT', body: zipFolder('e2e/fixtures/memory-hog/model') });
  ({ model_id: modelId } = (await (await call(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'hog', source_location: 'obs://models/hog' }) })).json()) as { model_id: string });
  await waitFor(async () => ((await (await call(`/v1/${projectId}/models/${modelId}`)).json()) as { model_status: string }).model_status === 'normal');
  hog = await deploy('hog');
  await waitFor(async () => (await detail(hog)).status === 'running', 30_000, 'hog running');
}, 60_000);
afterAll(() => stopTestAnvil(anvil));

describe('memory of a process-runtime instance', () => {
  it("caps the instance's address space at its flavor's memory", async () => {
    const { pid } = (await detail(hog)).instances[0];
    const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
    expect(limits).toMatch(new RegExp(`^Max address space\\s+${2 * GIB}\\s+${2 * GIB}\\s+bytes`, 'm'));
  });

  it('lets a prediction within the cap run, fails one over it with MemoryError in the logs, and keeps serving', async () => {
    const small = await predict(256);
    expect(small.status).toBe(200);
    expect(await small.json()).toEqual({ allocated_mib: 256 });

    const big = await predict(3 * 1024);
    expect(big.status).toBe(500);
    expect(((await big.json()) as { error_msg: string }).error_msg).toContain('MemoryError');
    await waitFor(async () => {
      const { lines } = (await (await call(`/v1/${projectId}/services/${hog}/logs?minutes=5`)).json()) as { lines: { line: string }[] };
      return lines.some((l) => l.line.startsWith('MemoryError'));
    }, 10_000, 'MemoryError logged');

    expect((await predict(256)).status).toBe(200);
    expect((await detail(hog)).status).toBe('running');
  });
});

describe.runIf(process.getuid?.() === 0)('cgroup limits, where the host allows them', () => {
  const hasCgroups = () => anvil.core.driver.isolation().note.includes('cgroup');

  it('puts the instance in a cgroup with its memory and CPU limits, and removes the cgroup when the instance stops', async (ctx) => {
    if (!hasCgroups()) ctx.skip();
    const { pid, id } = (await detail(hog)).instances[0];
    const cgroupOf = (controller: string) =>
      new RegExp(`^\\d+:(?:[^:]*,)?${controller}(?:,[^:]*)?:(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
    const memoryPath = cgroupOf('memory');
    expect(memoryPath).toMatch(new RegExp(`/${id}$`));
    const dir = `/sys/fs/cgroup/memory${memoryPath}`;
    expect(Number(fs.readFileSync(`${dir}/memory.limit_in_bytes`, 'utf8'))).toBe(2 * GIB);
    const cpuPath = cgroupOf('cpu');
    if (fs.existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) {
      expect(cpuPath).toMatch(new RegExp(`/${id}$`));
      const quota = (file: string) => Number(fs.readFileSync(`/sys/fs/cgroup/cpu${cpuPath}/${file}`, 'utf8'));
      expect(quota('cpu.cfs_quota_us') / quota('cpu.cfs_period_us')).toBe(1); // cpu.1u2g: one vCPU of CPU time
    }

    const other = await deploy('hog-2');
    await waitFor(async () => (await detail(other)).status === 'running', 30_000, 'hog-2 running');
    const otherInstance = (await detail(other)).instances[0];
    const otherDir = dir.replace(id, otherInstance.id);
    expect(fs.existsSync(otherDir)).toBe(true);
    await anvil.core.services.delete(projectId, other);
    await waitFor(async () => !fs.existsSync(otherDir), 10_000, 'cgroup removed');
  });

  it('kills an instance whose forked processes together exceed its memory, and says it ran out of memory', async (ctx) => {
    if (!hasCgroups()) ctx.skip();
    // A child holds 700 MiB, then the server allocates 1500 MiB: each under the 2 GiB address-space cap, together over it.
    const forks = await deploy('hog-forks', { HOG_CHILD_MIB: '700', HOG_AT_LOAD_MIB: '1500' });
    const events = await waitFor(async () => {
      const list = ((await (await call(`/v1/${projectId}/services/${forks}/events`)).json()) as { events: { message: string }[] }).events;
      return list.some((e) => e.message.includes('out of memory')) && list;
    }, 30_000, 'out-of-memory event');
    expect(events.map((e) => e.message)).toContainEqual(expect.stringContaining("signal SIGKILL: out of memory, over its flavor's 2 GiB"));
    await anvil.core.services.delete(projectId, forks);
  });
});

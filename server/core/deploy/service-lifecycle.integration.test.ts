/**
 * The service state machine with real instances (guide §3.4, §3.5): start, stop with drain,
 * restart, delete, auto-stop, probes, crash loops — and no process outliving its service, checked
 * against the process table rather than the pids Anvil knows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkOperation, SERVICE_OPERATIONS } from '../../contracts/service-lifecycle';
import { SERVICE_STATUSES, type TServiceStatus } from '../../contracts/services';
import { getToken, processesWithAnvilId, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

const MINUTE_MS = 1000;
const HOUR_MS = 1500;

const LIMITS = {
  deployMinuteMs: MINUTE_MS,
  lifecycle: { drainGraceMs: 5_000, restartBackoffMs: 100, stableMs: 60_000, hourMs: HOUR_MS, probe: { path: '/health', periodMs: 150, timeoutMs: 100, initialDelayMs: 0, failureThreshold: 2 } },
};

let anvil: TTestAnvil;
let token: string;
let projectId: string;
let userId: string;
let appId: string;

const api = (p: string, init: RequestInit = {}) =>
  fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
const statusOf = async (id: string) => ((await (await api(`/v1/${projectId}/services/${id}`)).json()) as { status: TServiceStatus }).status;
const waitStatus = (id: string, status: TServiceStatus, timeoutMs = 15_000) =>
  waitFor(async () => (await statusOf(id)) === status, timeoutMs, `service ${status}`, 25);
const eventCodes = (id: string) => anvil.core.events.list('service', id).map((e) => e.code).reverse();
const predict = (id: string) => api(`/v1/infers/${id}`, { method: 'POST', body: JSON.stringify({ ping: 'x' }) });

function deploy(name: string, envs: Record<string, string> = {}, extra: { instanceCount?: number; flavor?: string; autoStop?: { enabled: boolean; hours: number } } = {}): string {
  const created = anvil.core.services.create(
    projectId,
    {
      name, appId, flavor: extra.flavor ?? 'cpu.1u2g', deployTimeoutMinutes: 3, instanceCount: extra.instanceCount ?? 1,
      envs: Object.entries(envs).map(([key, value]) => ({ key, value })),
      autoStop: extra.autoStop ?? { enabled: false, hours: 1 },
    },
    userId,
  );
  return created.id;
}

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, LIMITS);
  ({ token, projectId } = await getToken(anvil.url));
  userId = (anvil.core.db.prepare(`SELECT id FROM users WHERE name = 'admin'`).get() as { id: string }).id;
  await api('/obs/models', { method: 'PUT' });
  await api('/obs/models/lifecycle?extract=zip', { method: 'PUT', body: zipFolder('e2e/fixtures/lifecycle/model') });
  const res = await api(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'lifecycle', source_location: 'obs://models/lifecycle' }) });
  appId = ((await res.json()) as { model_id: string }).model_id;
  await waitFor(async () => anvil.core.registry.summary(projectId, appId).status === 'normal', 20_000, 'import');
});
afterEach(async () => {
  // A failed test must not leave instances holding the pool for the next one.
  for (const s of anvil.core.services.list(projectId)) await anvil.core.services.delete(projectId, s.id).catch(() => undefined);
});
afterAll(() => stopTestAnvil(anvil));

describe('start, stop, restart, delete', () => {
  it('runs the transitions of guide §3.4 with the events of table 3-15, and refuses the others with a reason', async () => {
    const id = deploy('cycle');
    await waitStatus(id, 'running');
    await expect(anvil.core.services.start(projectId, id)).rejects.toThrow('A running service cannot be started; start is allowed when the service is stopped, failed.');

    await anvil.core.services.stop(projectId, id);
    expect(await statusOf(id)).toBe('stopped');
    expect(processesWithAnvilId(id)).toEqual([]);
    expect((await predict(id)).status).toBe(503);
    await expect(anvil.core.services.stop(projectId, id)).rejects.toThrow('A stopped service cannot be stopped');
    await expect(anvil.core.services.restart(projectId, id)).rejects.toThrow('A stopped service cannot be restarted');

    await anvil.core.services.start(projectId, id);
    await waitStatus(id, 'running');
    expect((await predict(id)).status).toBe(200);
    const before = anvil.core.services.get(projectId, id).instances.map((i) => i.pid);
    await anvil.core.services.restart(projectId, id);
    await waitStatus(id, 'running');
    const after = anvil.core.services.get(projectId, id).instances.map((i) => i.pid);
    expect(after).not.toEqual(before);
    expect(processesWithAnvilId(id)).toHaveLength(1);

    expect(eventCodes(id)).toEqual(['S1', 'X2', 'S25', 'S12', 'S13', 'S11', 'X2', 'S25', 'S12', 'S13', 'S11', 'X2', 'S25']);
    expect(anvil.core.events.list('service', id)[0].message).toBe('Service cycle started successfully.');
    await anvil.core.services.delete(projectId, id);
    expect(processesWithAnvilId(id)).toEqual([]);
  });

  it('the core refuses every pair the state machine refuses, and changes nothing', async () => {
    const id = deploy('refusals');
    await waitStatus(id, 'running');
    await anvil.core.services.stop(projectId, id);
    const ops = { start: () => anvil.core.services.start(projectId, id), stop: () => anvil.core.services.stop(projectId, id), restart: () => anvil.core.services.restart(projectId, id), delete: () => anvil.core.services.delete(projectId, id) };
    let refused = 0;
    for (const status of SERVICE_STATUSES) {
      for (const op of SERVICE_OPERATIONS) {
        if (checkOperation(status, op).isAllowed) continue;
        anvil.core.db.prepare('UPDATE services SET status = ? WHERE id = ?').run(status, id);
        await expect(ops[op]()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', field: 'status' });
        expect(anvil.core.services.summary(projectId, id).status).toBe(status);
        refused++;
      }
    }
    expect(refused).toBe(17);
    expect(processesWithAnvilId(id)).toEqual([]);
    anvil.core.db.prepare(`UPDATE services SET status = 'stopped' WHERE id = ?`).run(id);
  });

  it('a stop under a steady request loop answers every request the gateway accepted before the stop', async () => {
    const id = deploy('drain', { PREDICT_SECONDS: '0.3' }, { instanceCount: 2 });
    await waitStatus(id, 'running');
    const outcomes: { sentAt: number; status: number | 'cut' }[] = [];
    let isLooping = true;
    const worker = async () => {
      while (isLooping) {
        const sentAt = Date.now();
        try {
          const res = await predict(id);
          await res.text();
          outcomes.push({ sentAt, status: res.status });
        } catch {
          outcomes.push({ sentAt, status: 'cut' });
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await new Promise((r) => setTimeout(r, 700));
    const stopAt = Date.now();
    await anvil.core.services.stop(projectId, id);
    isLooping = false;
    await Promise.all(workers);

    const accepted = outcomes.filter((o) => o.sentAt < stopAt - 50);
    expect(accepted.length).toBeGreaterThan(6);
    expect(accepted.every((o) => o.status === 200)).toBe(true);
    // After the stop: refused cleanly by the gateway, never cut.
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    expect(processesWithAnvilId(id)).toEqual([]);
    await anvil.core.services.delete(projectId, id);
  });
});

describe('no process outlives its service', () => {
  it('create and delete in the same tick leave no model server', async () => {
    const id = deploy('same-tick');
    await anvil.core.services.delete(projectId, id);
    await new Promise((r) => setTimeout(r, 500));
    expect(processesWithAnvilId(id)).toEqual([]);
  });

  it('create and stop in the same tick leave no model server, and the service is stopped', async () => {
    const id = deploy('stop-at-launch');
    await anvil.core.services.stop(projectId, id);
    await new Promise((r) => setTimeout(r, 500));
    expect(processesWithAnvilId(id)).toEqual([]);
    expect(await statusOf(id)).toBe('stopped');
    await anvil.core.services.delete(projectId, id);
  });

  it.each(['delete', 'stop'] as const)('a %s while the process is being spawned ends that process', async (op) => {
    for (let round = 0; round < 3; round++) {
      const id = deploy(`mid-spawn-${op}-${round}`);
      // The instance is `starting` from the moment its launch begins, before the driver's spawn returns.
      await waitFor(async () => anvil.core.reconciler.instancesOf(id).some((i) => i.status === 'starting'), 5_000, 'launch begun', 1);
      await (op === 'delete' ? anvil.core.services.delete(projectId, id) : anvil.core.services.stop(projectId, id));
      await new Promise((r) => setTimeout(r, 300));
      expect(processesWithAnvilId(id)).toEqual([]);
      if (op === 'stop') await anvil.core.services.delete(projectId, id);
    }
  });

  it('a delete during the restart backoff of a crash loop leaves nothing', async () => {
    const marker = path.join(os.tmpdir(), `anvil-crash-${Date.now()}`);
    const id = deploy('crash-delete', { CRASH_MARKER: marker, CRASH_AFTER_SECONDS: '0.2' });
    await waitFor(async () => eventCodes(id).includes('X3'), 15_000, 'a failed restart');
    await anvil.core.services.delete(projectId, id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(processesWithAnvilId(id)).toEqual([]);
    expect(anvil.core.db.prepare('SELECT COUNT(*) AS n FROM logs WHERE service_id = ?').get(id)).toEqual({ n: 0 });
    fs.rmSync(marker, { force: true });
  });
});

describe('errors inside the reconciler', () => {
  it('a failing step becomes an S8 event on the service, and Anvil keeps going', async () => {
    const marker = path.join(os.tmpdir(), `anvil-crash-${Date.now()}`);
    fs.writeFileSync(marker, '');
    // The deployment fails (3 failed starts); ending its instances then fails once, as an unreachable engine would.
    vi.spyOn(anvil.core.driver, 'stop').mockRejectedValueOnce(new Error('engine unreachable'));
    const id = deploy('engine-trouble', { CRASH_MARKER: marker });
    await waitFor(async () => anvil.core.events.list('service', id)[0]?.message === 'Failed to deploy service, retry later. Error message: engine unreachable', 15_000, 'S8 event');
    expect(await statusOf(id)).toBe('failed');
    const other = deploy('still-serving');
    await waitStatus(other, 'running');
    expect((await predict(other)).status).toBe(200);
    fs.rmSync(marker, { force: true });
  });
});

describe('crash loops and probes', () => {
  it('backs off exponentially, shows concerning, then failed with the last error and the log tail', async () => {
    const marker = path.join(os.tmpdir(), `anvil-crash-${Date.now()}`);
    const id = deploy('crash-loop', { CRASH_MARKER: marker, CRASH_AFTER_SECONDS: '0.3' });
    await waitStatus(id, 'running');
    await waitStatus(id, 'concerning', 5_000);
    await waitStatus(id, 'failed', 10_000);
    const detail = anvil.core.services.get(projectId, id);
    expect(detail.statusReason).toContain('boom: the model cannot load twice');
    expect(detail.statusReason).toContain('--- last log lines ---');
    const failures = anvil.core.events.list('service', id).filter((e) => e.code === 'X3').map((e) => e.createdAt).reverse();
    expect(failures.length).toBeGreaterThanOrEqual(3);
    const gaps = failures.slice(1).map((t, i) => t - failures[i]);
    // Doubling from 100 ms: consecutive gaps grow by at least 200 ms; a constant backoff would not (start time is the same).
    expect(gaps.at(-1)! - gaps[0]).toBeGreaterThanOrEqual(150);
    expect(anvil.core.events.list('service', id)[0].message).toMatch(/^Failed to run service, retry later\. Error message: no instance recovered within 3 minutes; last exit: .*boom/);
    expect(processesWithAnvilId(id)).toEqual([]);

    // Started again, it cannot load: S11, then the failed start (S8) and S26.
    await anvil.core.services.start(projectId, id);
    await waitStatus(id, 'failed', 15_000);
    expect(eventCodes(id).slice(-6)).toEqual(['S11', 'X3', 'X3', 'X3', 'S8', 'S26']);
    expect(anvil.core.events.list('service', id)[0].message).toBe('Service crash-loop started failed.');
    expect(processesWithAnvilId(id)).toEqual([]);
    fs.rmSync(marker, { force: true });
    await anvil.core.services.delete(projectId, id);
  });

  it('a hung instance leaves routing within period × threshold, then is restarted', async () => {
    const id = deploy('hang', {}, { instanceCount: 2 });
    await waitStatus(id, 'running');
    const [victim] = anvil.core.services.get(projectId, id).instances;
    process.kill(victim.pid!, 'SIGSTOP');
    const stoppedAt = Date.now();
    await waitFor(async () => anvil.core.reconciler.endpoints(id).length === 1, 3_000, 'hung instance out of routing', 10);
    expect(Date.now() - stoppedAt).toBeLessThan(150 * 2 + 100 + 400);
    expect(await statusOf(id)).toBe('concerning');
    for (let i = 0; i < 5; i++) expect((await predict(id)).status).toBe(200);
    await waitStatus(id, 'running', 15_000);
    expect(eventCodes(id)).toEqual(expect.arrayContaining(['X4', 'X6', 'X1']));
    const messages = anvil.core.events.list('service', id).map((e) => e.message);
    expect(messages).toContain(`Instance ${victim.id} failed 2 health checks in a row; it no longer receives requests.`);
    expect(messages).toContain(`Instance ${victim.id} failed 4 health checks in a row; restarting it.`);
    expect(anvil.core.services.get(projectId, id).instances.map((i) => i.pid)).not.toContain(victim.pid);
    await anvil.core.services.delete(projectId, id);
  });
});

describe('auto-stop', () => {
  it('arms on running (S15), stops at the deadline (S16), and can be switched off on a running service (S14)', async () => {
    // What the socket pushes is the summary at each service.changed: the last one must carry the deadline.
    const pushed: (number | null)[] = [];
    let id = '';
    const listener = ({ serviceId }: { serviceId: string }) => {
      if (serviceId === id) pushed.push(anvil.core.services.summary(projectId, id).autoStop.stopsAt);
    };
    anvil.core.bus.on('service.changed', listener);
    id = deploy('auto', {}, { autoStop: { enabled: true, hours: 1 } });
    await waitStatus(id, 'running');
    await waitFor(async () => pushed.at(-1) !== null, 2_000, 'a push with the deadline');
    anvil.core.bus.off('service.changed', listener);
    const { stopsAt } = anvil.core.services.summary(projectId, id).autoStop;
    expect(stopsAt).toBeGreaterThan(Date.now());
    expect(anvil.core.events.list('service', id).map((e) => e.message)).toContain('Auto-stop switched on, service will be stopped in 1 hour.');
    await waitStatus(id, 'stopped', HOUR_MS + 3_000);
    expect(Date.now()).toBeGreaterThanOrEqual(stopsAt!);
    expect(anvil.core.events.list('service', id)[0].message).toBe('Service stopped automatically because due time is reached.');
    expect(anvil.core.services.summary(projectId, id).autoStop.stopsAt).toBeNull();

    await anvil.core.services.start(projectId, id);
    await waitStatus(id, 'running');
    anvil.core.services.setAutoStop(projectId, id, { enabled: false, hours: 1 });
    expect(anvil.core.events.list('service', id)[0].message).toBe('Auto-stop switched off.');
    await new Promise((r) => setTimeout(r, HOUR_MS + 500));
    expect(await statusOf(id)).toBe('running');
    expect(() => anvil.core.services.setAutoStop(projectId, id, { enabled: true, hours: 25 })).toThrow('At most 24 hours.');
    await anvil.core.services.delete(projectId, id);
  });
});

describe('interrupted and overlapping operations', () => {
  it('a delete cut short by a crash is finished at the next start; the name and the quota are free again', async () => {
    const id = deploy('half-deleted');
    await waitStatus(id, 'running');
    // What a kill -9 in the middle of a delete leaves: the row says deleting (instances are reaped at start).
    anvil.core.db.prepare(`UPDATE services SET status = 'deleting', desired_state = 'stopped' WHERE id = ?`).run(id);
    await anvil.close();
    anvil = await startTestAnvil(anvil.dataDir, LIMITS);
    expect((await api(`/v1/${projectId}/services/${id}`)).status).toBe(404);
    expect(processesWithAnvilId(id)).toEqual([]);
    const again = deploy('half-deleted');
    await waitStatus(again, 'running');
  });

  it('an auto-stop due while a restart drains the service is retried, not lost', async () => {
    const id = deploy('due-in-restart');
    await waitStatus(id, 'running');
    anvil.core.db.prepare(`UPDATE services SET status = 'stopping' WHERE id = ?`).run(id);
    anvil.core.services.autoStopDue(id);
    expect(anvil.core.autoStop.isArmed(id)).toBe(true);
    anvil.core.db.prepare(`UPDATE services SET status = 'running' WHERE id = ?`).run(id);
    await waitStatus(id, 'stopped', 5_000);
    expect(anvil.core.events.list('service', id)[0].message).toBe('Service stopped automatically because due time is reached.');
  });

  it('a service that fails drops its auto-stop timer', async () => {
    const marker = path.join(os.tmpdir(), `anvil-crash-${Date.now()}`);
    const id = deploy('fails-with-deadline', { CRASH_MARKER: marker, CRASH_AFTER_SECONDS: '0.3' }, { autoStop: { enabled: true, hours: 24 } });
    await waitStatus(id, 'running');
    expect(anvil.core.autoStop.isArmed(id)).toBe(true);
    await waitStatus(id, 'failed', 15_000);
    expect(anvil.core.autoStop.isArmed(id)).toBe(false);
    expect(anvil.core.services.summary(projectId, id).autoStop.stopsAt).toBeNull();
    fs.rmSync(marker, { force: true });
  });

  it('a stop whose instances cannot be ended fails the service (S23) instead of leaving it stopping', async () => {
    const id = deploy('unstoppable');
    await waitStatus(id, 'running');
    vi.spyOn(anvil.core.driver, 'stop').mockRejectedValueOnce(new Error('engine unreachable'));
    await expect(anvil.core.services.stop(projectId, id)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await statusOf(id)).toBe('failed');
    expect(anvil.core.events.list('service', id)[0].message).toBe('Failed to stopped service, error message: engine unreachable');
    await anvil.core.services.delete(projectId, id);
    expect(processesWithAnvilId(id)).toEqual([]);
  });
});

describe('capacity', () => {
  it('a deploy that does not fit waits (S2) and starts when resources are released', async () => {
    // The harness declares a pool of 16 vCPUs and 64 GiB: two cpu.8u32g instances fill it.
    expect(anvil.core.pools.schedulable('local')).toMatchObject([{ cpus: 16, memoryGiB: 64 }]);
    const big = deploy('fills-the-node', {}, { instanceCount: 2, flavor: 'cpu.8u32g' });
    await waitStatus(big, 'running');
    const waiting = deploy('waits');
    await waitStatus(waiting, 'waiting', 3_000);
    expect(anvil.core.services.summary(projectId, waiting).statusReason).toBe(
      'No node can take an instance of 1 vCPU and 2 GiB memory: 1 node short of CPUs, 1 node short of memory.',
    );
    expect(anvil.core.events.list('service', waiting).slice(0, 2).map((e) => e.message)).toEqual([
      'Lack of resources, transform state to waiting.',
      'Schedule failed due to insufficient resources. Retry later. 0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.',
    ]);
    await anvil.core.services.stop(projectId, big);
    await waitStatus(waiting, 'running');
    await anvil.core.services.delete(projectId, big);
    await anvil.core.services.delete(projectId, waiting);
  });
});

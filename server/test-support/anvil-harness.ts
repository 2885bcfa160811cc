/** Starts a real Anvil (REST + tRPC + socket.io, no console) on a free port with a scratch data directory. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { readEnv } from '../env';
import type { TAnvilCoreOptions } from '../core/anvil-core';
import { startAnvil, type TAnvilServer } from '../main';

export const ADMIN_PASSWORD = 'integration-pass';

export async function startTestAnvil(
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-it-')),
  limits: { predictionTimeoutMs?: number; deployMinuteMs?: number; lifecycle?: TAnvilCoreOptions['lifecycle'] } & Pick<TAnvilCoreOptions, 'zipLimits' | 'loginLimits' | 'docker' | 'monitoring'> = {},
) {
  // A 2-core CI machine holds only two cpu.1u2g instances; suites deploy more side by side (they idle), so the pool is declared larger.
  const env = readEnv({
    PORT: '0', HOST: '127.0.0.1', ANVIL_DATA_DIR: dataDir, ANVIL_ADMIN_PASSWORD: ADMIN_PASSWORD, PATH: process.env.PATH,
    ANVIL_POOL_CPUS: '16', ANVIL_POOL_MEMORY_GIB: '64',
    // Suites deploy on the process pool unless they name a pool (the Docker suites name `docker`).
    ANVIL_DEFAULT_POOL: 'local',
    // The image repository's gate on a free port (its registry starts only when a test uses it).
    ANVIL_REGISTRY_PORT: '0',
  });
  const server = await startAnvil(env, { withConsole: false, ...limits });
  return { ...server, dataDir, runDir: env.runDir };
}

export type TTestAnvil = TAnvilServer & { dataDir: string; runDir: string };

export function tokenRequest(password = ADMIN_PASSWORD, project: Record<string, string> | null = { name: 'default' }) {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: 'admin', password, domain: { name: 'anvil' } } } },
      ...(project ? { scope: { project } } : {}),
    },
  };
}

export async function getToken(url: string, project?: Record<string, string>): Promise<{ token: string; projectId: string }> {
  const res = await fetch(`${url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tokenRequest(undefined, project)) });
  if (res.status !== 201) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: { project: { id: string } } };
  return { token: res.headers.get('x-subject-token')!, projectId: body.token.project.id };
}

/** Zips a folder's files (recursively) with paths relative to `base`. */
export function zipFolder(dir: string, base = path.dirname(dir)): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__pycache__') walk(p);
      } else files[path.relative(base, p).split(path.sep).join('/')] = fs.readFileSync(p);
    }
  };
  walk(dir);
  return new Uint8Array(zipSync(files));
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition', intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pids of every process on the machine whose environment names `id` as its Anvil service or
 * instance: the process table, not only the pids Anvil knows about.
 */
export function processesWithAnvilId(id: string): number[] {
  const needles = [`ANVIL_SERVICE_ID=${id}`, `ANVIL_INSTANCE_ID=${id}`];
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (environ.some((v) => needles.includes(v))) found.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

/** Closes a test Anvil (if it started) and removes its scratch data directory. */
export async function stopTestAnvil(anvil: TTestAnvil | undefined): Promise<void> {
  await anvil?.close({ stopContainers: true });
  if (anvil) fs.rmSync(anvil.dataDir, { recursive: true, force: true });
}

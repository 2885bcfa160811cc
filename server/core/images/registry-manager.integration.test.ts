/** The managed docker-registry: start, crash restart, clean stop, and no orphan when Anvil is killed. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, waitFor } from '../../test-support/anvil-harness';
import { CoreError } from '../errors';
import { findExecutable, RegistryManager } from './registry-manager';

const REGISTRY = findExecutable('docker-registry', process.env.PATH);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const FAST = { backoffMs: 100, maxBackoffMs: 400, stableMs: 60_000, readyTimeoutMs: 10_000, stopGraceMs: 2_000 };

const owned: RegistryManager[] = [];
const children: number[] = [];
const dirs: string[] = [];
const scratch = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-registry-'));
  dirs.push(dir);
  return dir;
};
const manager = (dir: string, searchPath = process.env.PATH) => {
  const m = new RegistryManager({ dir, binary: 'docker-registry', searchPath, timings: FAST, log: () => undefined });
  owned.push(m);
  return m;
};

afterEach(async () => {
  await Promise.all(owned.splice(0).map((m) => m.close()));
  for (const pid of children.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs a RegistryManager in a separate Node process (a stand-in for Anvil) and returns its pid and the registry's. */
async function startInChild(dir: string, searchPath: string): Promise<{ parent: number; registry: number }> {
  const script = `import(${JSON.stringify(path.join(HERE, 'registry-manager.ts'))}).then(async ({ RegistryManager }) => {
    const m = new RegistryManager({ dir: process.argv[1], binary: 'docker-registry', searchPath: process.argv[2] });
    await m.upstream();
    console.log('REGISTRY ' + m.pid());
    setInterval(() => undefined, 1000);
  });`;
  // Node itself with tsx's loader (the tsx command would put a wrapper process in between).
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir, searchPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child.pid!);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const registry = await waitFor(async () => Number(/REGISTRY (\d+)/.exec(out)?.[1]) || undefined, 30_000, 'the child to start its registry');
  children.push(registry);
  return { parent: child.pid!, registry };
}

/** A folder on the search path with docker-registry only (no setpriv): the pid file is all that is left to find it. */
function pathWithoutSetpriv(): string {
  const bin = scratch();
  fs.symlinkSync(REGISTRY!, path.join(bin, 'docker-registry'));
  return bin;
}

if (!REGISTRY && process.env.CI === 'true') throw new Error('The container suites need docker-registry under CI.');

describe.skipIf(!REGISTRY)('the managed docker-registry', () => {
  it('starts on a loopback port, answers the system credential only, and writes its files', async () => {
    const dir = scratch();
    const m = manager(dir);
    const upstream = await m.upstream();
    expect(upstream.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${upstream.origin}/v2/`, { headers: { authorization: upstream.authorization } })).status).toBe(200);
    expect((await fetch(`${upstream.origin}/v2/`)).status).toBe(401);
    expect(fs.readFileSync(path.join(dir, 'htpasswd'), 'utf8')).toMatch(/^_anvil:\$2[aby]\$10\$/);
    const config = fs.readFileSync(path.join(dir, 'config.yml'), 'utf8');
    expect(config).toContain('"level": "warn"');
    expect(config).toContain(path.join(dir, 'storage'));
    expect(fs.readFileSync(m.pidFile, 'utf8')).toBe(String(m.pid()));
    expect(m.problem()).toBeNull();
  });

  it('restarts after a crash, and stops for good on close', async () => {
    const m = manager(scratch());
    await m.upstream();
    const first = m.pid()!;
    process.kill(first, 'SIGKILL');
    await waitFor(async () => m.problem()?.code === 'registry-down', 5_000, 'the crash to be seen');
    expect(m.problem()!.detail).toMatch(/docker-registry exited \(signal SIGKILL\)/);
    await expect(m.upstream()).rejects.toThrow(/restarting/);
    const second = await waitFor(async () => (m.pid() !== first && (await m.upstream().catch(() => undefined)) ? m.pid() : undefined), 10_000, 'the restart');
    expect(second).not.toBe(first);
    expect(m.problem()).toBeNull();
    await m.close();
    expect(isAlive(second!)).toBe(false);
    expect(fs.existsSync(m.pidFile)).toBe(false);
    await expect(m.upstream()).rejects.toThrow(CoreError);
  });

  it('dies with Anvil on kill -9 (parent-death signal)', async () => {
    const { parent, registry } = await startInChild(scratch(), process.env.PATH!);
    expect(isAlive(registry)).toBe(true);
    process.kill(parent, 'SIGKILL');
    await waitFor(async () => !isAlive(registry), 5_000, 'the registry to die with its parent');
  });

  it('kills a leftover named by the pid file at the next start (no setpriv)', async () => {
    const dir = scratch();
    const searchPath = pathWithoutSetpriv();
    const { parent, registry } = await startInChild(dir, searchPath);
    process.kill(parent, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(isAlive(registry)).toBe(true);
    const next = manager(dir, searchPath);
    await next.upstream();
    await waitFor(async () => !isAlive(registry), 5_000, 'the leftover to be killed');
    expect(next.pid()).not.toBe(registry);
  });
});

describe('without docker-registry installed', () => {
  it('says why and refuses requests instead of failing at start', async () => {
    const m = new RegistryManager({ dir: scratch(), binary: '/nonexistent/docker-registry', timings: FAST });
    owned.push(m);
    expect(m.problem()).toEqual({ code: 'not-installed', detail: expect.stringContaining('apt install docker-registry') });
    await expect(m.upstream()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('not installed') });
  });
});

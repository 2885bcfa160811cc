/**
 * CloudShell over real socket.io against a real Anvil with the iris example on the process runtime:
 * a terminal in the instance (its user, its folder, nothing of Anvil's), who may open one, the idle
 * and stop ends with their reasons, the per-user limit, events X14/X15, and acknowledgement-based
 * flow control that keeps a flood of output bounded.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_SHELL_NAMESPACE, type TOpenShellResult } from '../contracts/cloud-shell';
import { formatEventMessage } from '../contracts/events';
import { isRoot, resolveUser } from '../core/runtime/instance-identity';
import { DEFAULT_CLOUD_SHELL_LIMITS } from '../core/shell/cloud-shell';
import { ADMIN_PASSWORD, getToken, startTestAnvil, stopTestAnvil, waitFor, type TTestAnvil } from '../test-support/anvil-harness';
import { deployExample } from '../test-support/deploy-example';

let anvil: TTestAnvil;
let projectId: string;
let serviceId: string;
let instanceId: string;
let adminCookie: string;
const clients: ShellClient[] = [];

async function trpc(path: string, input: unknown, cookie: string) {
  const res = await fetch(`${anvil.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data: unknown }; error?: { message: string } };
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.error?.message}`);
  return { data: body.result!.data, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
}
const login = async (userName = 'admin', password = ADMIN_PASSWORD) => (await trpc('auth.login', { userName, password }, '')).cookie;

/** One browser tab's terminal: a `/cloudshell` socket that collects output and, unless told not to, acknowledges it. */
class ShellClient {
  readonly socket: Socket;
  text = '';
  received = 0;
  isAcking = true;
  readonly pendingAcks: (() => void)[] = [];
  closed?: { reason: string; message: string };

  constructor(cookie: string, headers: Record<string, string> = {}) {
    this.socket = io(`${anvil.url}${CLOUD_SHELL_NAMESPACE}`, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, ...headers }, reconnection: false, forceNew: true });
    this.socket.on('output', (chunk: Buffer, ack: () => void) => {
      this.received += chunk.length;
      this.text += chunk.toString('utf8');
      if (this.isAcking) ack();
      else this.pendingAcks.push(ack);
    });
    this.socket.on('closed', (payload) => (this.closed = payload));
    clients.push(this);
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  open(request: Record<string, unknown> = {}): Promise<TOpenShellResult> {
    return this.socket.timeout(10_000).emitWithAck('open', { serviceId, instanceId, cols: 100, rows: 30, ...request });
  }

  type(line: string): void {
    this.socket.emit('input', `${line}\r`);
  }

  until(pattern: RegExp, ms = 10_000): Promise<true> {
    return waitFor(async () => pattern.test(this.text), ms, `${pattern} in the terminal`, 20).catch((e: Error) => {
      throw new Error(`${e.message}; it shows ${JSON.stringify(this.text.slice(-2000))}${this.closed ? `; closed: ${this.closed.message}` : ''}`);
    });
  }

  untilClosed(ms = 10_000) {
    return waitFor(async () => this.closed, ms, 'the session to close', 20);
  }
}

async function openShell(cookie = adminCookie): Promise<ShellClient> {
  const client = new ShellClient(cookie);
  await client.connected();
  const result = await client.open();
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
  return client;
}

const events = () => anvil.core.events.list('service', serviceId).reverse();

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { docker: { autoDetect: false }, lifecycle: { drainGraceMs: 200 } });
  const auth = await getToken(anvil.url);
  projectId = auth.projectId;
  serviceId = await deployExample(anvil.url, auth, 'iris', 'iris-shell');
  instanceId = anvil.core.reconciler.instancesOf(serviceId)[0].id;
  adminCookie = await login();
}, 90_000);
afterAll(async () => {
  clients.forEach((c) => c.socket.disconnect());
  await stopTestAnvil(anvil);
});

describe('a shell in the instance', () => {
  it('runs commands as the instance user in its model folder, with UTF-8, and records who opened it', async () => {
    const shell = new ShellClient(adminCookie);
    await shell.connected();
    expect(await shell.open()).toEqual({ ok: true, sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/), idleMinutes: 10 });
    shell.type('echo hel""lo');
    await shell.until(/\rhello\r\n/);
    shell.type('echo 你好');
    await shell.until(/\r你好\r\n/);
    shell.type('echo "uid=$(id -u) pwd=$PWD id=$ANVIL_INSTANCE_ID"');
    const uid = isRoot() ? resolveUser('nobody').uid : process.getuid!();
    await shell.until(new RegExp(`uid=${uid} pwd=\\S+/instances/${instanceId}/model id=${instanceId}`));
    expect(events()).toContainEqual(expect.objectContaining({ code: 'X14', args: ['admin', instanceId], message: formatEventMessage('X14', ['admin', instanceId], 'en') }));
    shell.socket.disconnect();
    await waitFor(async () => events().some((e) => e.code === 'X15'), 5000, 'X15');
    expect(events().find((e) => e.code === 'X15')?.message).toBe(`CloudShell session of admin on instance ${instanceId} closed: the console disconnected`);
  });

  it.skipIf(!isRoot())("cannot read Anvil's data directory or other processes' environment", async () => {
    const shell = await openShell();
    shell.type(`ls ${anvil.dataDir}; cat /proc/1/environ; echo checked-$((6*7))`);
    await shell.until(/checked-42/);
    expect(shell.text).toMatch(new RegExp(`ls: cannot open directory '?${anvil.dataDir}'?: Permission denied`));
    expect(shell.text).toMatch(/cat: \/proc\/1\/environ: Permission denied/);
    shell.socket.disconnect();
  });
});

describe('who may open one', () => {
  it('needs a console session, and answers another project\'s service like a missing one', async () => {
    await expect(new ShellClient('').connected()).rejects.toThrow('unauthorized');
    await expect(new ShellClient(adminCookie, { origin: 'http://evil.example' }).connected()).rejects.toThrow();
    const { data: other } = (await trpc('admin.createProject', { name: 'shell-other' }, adminCookie)) as { data: { id: string } };
    await trpc('admin.createUser', { name: 'carol', password: 'carol-password', projectIds: [other.id] }, adminCookie);
    const carol = new ShellClient(await login('carol', 'carol-password'));
    await carol.connected();
    expect(await carol.open()).toEqual({ ok: false, code: 'NOT_FOUND', error: `Service ${serviceId} does not exist.` });
    expect(await carol.open({ serviceId: '00000000-0000-0000-0000-000000000000' })).toEqual({ ok: false, code: 'NOT_FOUND', error: 'Service 00000000-0000-0000-0000-000000000000 does not exist.' });
    expect(await carol.open({ cols: 0 })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
  });

  it('limits each user to 5 sessions', async () => {
    const open = await Promise.all(Array.from({ length: 5 }, () => openShell()));
    const sixth = new ShellClient(adminCookie);
    await sixth.connected();
    expect(await sixth.open()).toMatchObject({ ok: false, code: 'QUOTA_EXCEEDED' });
    open[0].socket.disconnect();
    await waitFor(async () => anvil.core.cloudShell.count() === 4, 5000, 'a free slot');
    expect(await sixth.open()).toMatchObject({ ok: true });
    [...open, sixth].forEach((c) => c.socket.disconnect());
    await waitFor(async () => anvil.core.cloudShell.count() === 0, 5000, 'sessions closed');
  });
});

describe('flow control', () => {
  it('stops reading the shell while output is unacknowledged, and delivers the rest once acknowledged', async () => {
    const shell = await openShell();
    shell.isAcking = false;
    shell.type('yes | head -c 5000000; echo DONE-$((40+2))');
    await waitFor(async () => shell.received > 256 * 1024, 10_000, 'the first output');
    await new Promise((r) => setTimeout(r, 1500));
    const held = shell.received;
    // The mark (256 KiB) plus what was already read when the shell paused; nowhere near 5 MB.
    expect(held).toBeLessThan(1024 * 1024);
    await new Promise((r) => setTimeout(r, 500));
    expect(shell.received).toBe(held);
    shell.isAcking = true;
    shell.pendingAcks.splice(0).forEach((ack) => ack());
    await shell.until(/DONE-42/, 30_000);
    // The terminal turns each "\n" into "\r\n": 2.5 million "y" lines.
    expect(shell.received).toBeGreaterThan(7_500_000);
    shell.socket.disconnect();
  }, 60_000);
});

describe('how a session ends', () => {
  it('after the idle time without input, saying so', async () => {
    anvil.core.cloudShell.limits.idleMs = 2000;
    try {
      const shell = await openShell();
      shell.type('echo still-here');
      await shell.until(/\rstill-here\r\n/);
      expect(await shell.untilClosed()).toEqual({ reason: 'idle', message: 'idle for 2 seconds' });
      await waitFor(async () => shell.socket.disconnected, 3000, 'the namespace socket to close');
    } finally {
      anvil.core.cloudShell.limits.idleMs = DEFAULT_CLOUD_SHELL_LIMITS.idleMs;
    }
  });

  it('when the console session logs out', async () => {
    const cookie = await login();
    const shell = await openShell(cookie);
    await trpc('auth.logout', {}, cookie);
    expect(await shell.untilClosed()).toEqual({ reason: 'session-ended', message: 'the console session ended' });
  });

  it('when the exit command ends the shell', async () => {
    const shell = await openShell();
    shell.type('exit 5');
    expect(await shell.untilClosed()).toEqual({ reason: 'shell-exited', message: 'the shell exited (exit code 5)' });
  });

  it('when the service stops; a stopped service is refused', async () => {
    const shell = await openShell();
    shell.type('sleep 600 &');
    await anvil.core.services.stop(projectId, serviceId);
    expect(await shell.untilClosed()).toEqual({ reason: 'instance-stopped', message: 'the instance stopped' });
    expect(events().at(-1)).toBeDefined();
    expect(events().filter((e) => e.code === 'X15').map((e) => e.args[2])).toContain('the instance stopped');
    const again = new ShellClient(adminCookie);
    await again.connected();
    expect(await again.open()).toEqual({ ok: false, code: 'FAILED_PRECONDITION', error: 'CloudShell is available only while the service is running; it is stopped.' });
    expect(anvil.core.cloudShell.count()).toBe(0);
  });
});

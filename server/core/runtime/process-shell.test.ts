/** Shells and commands in a process instance's context: real PTYs and processes, as the instance user when root. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_GID_BASE, isRoot, resolveUser } from './instance-identity';
import { EXEC_OUTPUT_LIMIT, openPtyShell, runInInstance, type PtyShell, type TInstanceContext } from './process-shell';

let dir: string;
let ctx: TInstanceContext;
const shells: PtyShell[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-shell-'));
  fs.chmodSync(dir, 0o755);
  const user = isRoot() ? { uid: resolveUser('nobody').uid, gid: INSTANCE_GID_BASE + 7 } : null;
  ctx = {
    instanceId: '33333333-3333-3333-3333-333333333333', cwd: dir, env: { PATH: process.env.PATH!, HOME: dir, ANVIL_MARK: 'shell-test' },
    user, capPrefix: [], setpriv: '/usr/bin/setpriv', adopt: () => undefined,
  };
});
function isAlive(pid: number): boolean {
  try {
    // A zombie (reaped by init later) counts as gone.
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

afterAll(() => {
  shells.forEach((s) => s.close());
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens a shell and collects its output as text. */
function shell() {
  const s = openPtyShell(ctx, { cols: 100, rows: 30 });
  shells.push(s);
  let text = '';
  s.onData((chunk) => (text += chunk.toString('utf8')));
  const exited = new Promise<string>((resolve) => s.onExit(resolve));
  const waitFor = async (pattern: RegExp, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(text)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { s, exited, waitFor, text: () => text };
}

describe('a PTY shell in the instance', () => {
  it('runs in its folder with its environment, as its user, and speaks UTF-8', async () => {
    const { s, waitFor } = shell();
    s.write('echo "[$PWD] [$ANVIL_MARK] [$TERM] [$(id -u):$(id -g):$(id -G)]"; echo 你好\r');
    const ids = ctx.user ? `${ctx.user.uid}:${ctx.user.gid}:${ctx.user.gid}` : '';
    await waitFor(new RegExp(`\\[${dir}\\] \\[shell-test\\] \\[xterm-256color\\] \\[${ids || '\\d+:\\d+:[\\d ]+'}\\]`));
    await waitFor(/\r\n你好\r\n/);
  });

  it('resizes, and reports its exit', async () => {
    const { s, waitFor, exited } = shell();
    s.resize({ cols: 123, rows: 45 });
    s.write('stty size\r');
    await waitFor(/45 123/);
    s.write('exit 3\r');
    expect(await exited).toBe('the shell exited (exit code 3)');
  });

  it('closing it ends its background jobs too', async () => {
    const { s, waitFor, exited, text } = shell();
    s.write('sleep 1000 & echo "job=$!"\r');
    await waitFor(/job=\d+/);
    const job = Number(/job=(\d+)/.exec(text())![1]);
    expect(isAlive(job)).toBe(true);
    s.close('the instance stopped');
    expect(await exited).toBe('the instance stopped');
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(job)).toBe(false);
  });
});

describe('exec in the instance', () => {
  it('captures stdout and stderr as the instance user', async () => {
    const r = await runInInstance(ctx, ['sh', '-c', 'id -u; echo oops >&2; exit 4'], 5000);
    expect(r).toEqual({ exitCode: 4, output: `${ctx.user?.uid ?? process.getuid!()}\noops\n`, isTimedOut: false });
  });

  it('caps the output at 64 KiB', async () => {
    const r = await runInInstance(ctx, ['sh', '-c', 'head -c 1000000 /dev/zero | tr "\\0" a'], 5000);
    expect(r.output.length).toBe(EXEC_OUTPUT_LIMIT);
    expect(r.exitCode).toBe(0);
  });

  it('kills the command and what it forked at the timeout', async () => {
    const started = Date.now();
    const r = await runInInstance(ctx, ['sh', '-c', 'sleep 30 & echo started; wait'], 300);
    expect(r).toMatchObject({ exitCode: null, isTimedOut: true, output: 'started\n' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('rejects a program that does not exist', async () => {
    await expect(runInInstance(ctx, ['/no/such/program'], 1000)).rejects.toThrow(/cannot run \/no\/such\/program/);
  });
});

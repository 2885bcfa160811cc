/**
 * CloudShell and EXEC in a container, against the local Docker Engine and Anvil's Debian image
 * (`npm run images`; never pulled). Without them the suite skips here and fails under CI=true.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TShellSession } from '../runtime-driver';
import { CONTAINER_EXEC_OUTPUT_LIMIT, execInContainer, openContainerShell } from './docker-shell';

const IMAGE = 'anvil/debian-python:bookworm';
// A short client timeout, as the pools use: an idle shell must outlive it.
const docker = new Docker({ timeout: 1500 });
const engineProblem = await docker
  .ping()
  .then(() => docker.getImage(IMAGE).inspect())
  .then(() => undefined, (e: Error) => `no Docker Engine with ${IMAGE} (npm run images): ${e.message}`);
if (engineProblem && process.env.CI === 'true') throw new Error(`The container shell suite needs Docker under CI: ${engineProblem}`);
if (engineProblem) console.warn(`Skipping the container shell suite: ${engineProblem}`);

let container: Docker.Container;

beforeAll(async () => {
  if (engineProblem) return;
  container = await docker.createContainer({
    Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: { 'anvil.test': 'docker-shell' },
    Env: ['MODEL_MARK=from-the-container'], HostConfig: { AutoRemove: true, NetworkMode: 'none' },
  });
  await container.start();
}, 60_000);
afterAll(async () => {
  await container?.remove({ force: true }).catch(() => undefined);
});

function collect(shell: TShellSession) {
  let text = '';
  shell.onData((chunk) => (text += chunk.toString('utf8')));
  const exited = new Promise<string>((resolve) => shell.onExit(resolve));
  const waitFor = async (pattern: RegExp, ms = 8000) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(text)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { exited, waitFor };
}

const processes = async () => (await execInContainer(container, ['sh', '-c', 'cat /proc/[0-9]*/cmdline | tr "\\0" " "'], 5000)).output;

describe.skipIf(!!engineProblem)('docker exec shells', () => {
  it('opens bash with a TTY, the container environment and UTF-8; survives idling past the client timeout; resizes', async () => {
    const shell = await openContainerShell(container, { cols: 90, rows: 20 });
    const { waitFor } = collect(shell);
    shell.write('echo "[$MODEL_MARK] [$TERM] [$0]"; echo 你好; stty size\r');
    await waitFor(/\[from-the-container\] \[xterm-256color\] \[bash\]/);
    await waitFor(/\r\n你好\r\n/);
    await waitFor(/20 90/);
    await new Promise((r) => setTimeout(r, 2000));
    shell.resize({ cols: 132, rows: 43 });
    await new Promise((r) => setTimeout(r, 200));
    shell.write('stty size\r');
    await waitFor(/43 132/);
    shell.close();
  });

  it('reports the exit code when the shell exits', async () => {
    const shell = await openContainerShell(container, { cols: 80, rows: 24 });
    const { exited } = collect(shell);
    shell.write('exit 7\r');
    expect(await exited).toBe('the shell exited (exit code 7)');
  });

  it('close ends the shell and what it started', async () => {
    const shell = await openContainerShell(container, { cols: 80, rows: 24 });
    const { waitFor, exited } = collect(shell);
    shell.write('sleep 4242 & echo started-$((1+1))\r');
    await waitFor(/started-2/);
    expect(await processes()).toContain('sleep 4242');
    shell.close();
    expect(await exited).toBe('the shell was closed');
    await expect.poll(processes, { timeout: 5000 }).not.toContain('sleep 4242');
  });

  it('pause holds the output back until resume', async () => {
    const shell = await openContainerShell(container, { cols: 80, rows: 24 });
    let received = 0;
    shell.onData((chunk) => (received += chunk.length));
    shell.write('yes | head -c 3000000; echo END\r');
    await expect.poll(() => received, { timeout: 5000 }).toBeGreaterThan(0);
    shell.pause();
    await new Promise((r) => setTimeout(r, 300));
    const atPause = received;
    await new Promise((r) => setTimeout(r, 500));
    // What was already read may still arrive; the engine's and kernel's buffers are bounded.
    expect(received - atPause).toBeLessThan(1024 * 1024);
    expect(received).toBeLessThan(3_000_000);
    shell.resume();
    await expect.poll(() => received, { timeout: 10_000 }).toBeGreaterThan(3_000_000);
    shell.close();
  });
});

describe.skipIf(!!engineProblem)('docker exec commands', () => {
  it('captures stdout and stderr with the exit code', async () => {
    // Two pipes: their order is only the order in which Docker read them.
    expect(await execInContainer(container, ['sh', '-c', 'echo out; sleep 0.3; echo err >&2; exit 3'], 5000)).toEqual({ exitCode: 3, output: 'out\nerr\n', isTimedOut: false });
  });

  it('waits for a quiet command longer than the engine client timeout', async () => {
    expect(await execInContainer(container, ['sh', '-c', 'sleep 2; echo late'], 5000)).toEqual({ exitCode: 0, output: 'late\n', isTimedOut: false });
  });

  it('caps the output at 64 KiB', async () => {
    const r = await execInContainer(container, ['sh', '-c', 'head -c 500000 /dev/zero | tr "\\0" a'], 5000);
    expect(r.output.length).toBe(CONTAINER_EXEC_OUTPUT_LIMIT);
    expect(r.exitCode).toBe(0);
  });

  it('stops waiting at the timeout and ends the command', async () => {
    const started = Date.now();
    const r = await execInContainer(container, ['sh', '-c', 'echo begun; sleep 4343'], 2500);
    expect(r).toEqual({ exitCode: null, output: 'begun\n', isTimedOut: true });
    expect(Date.now() - started).toBeLessThan(4000);
    await expect.poll(processes, { timeout: 5000 }).not.toContain('sleep 4343');
  });
});

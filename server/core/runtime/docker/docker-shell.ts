/**
 * Shells and commands in a container instance through `docker exec` (CloudShell, EXEC checks).
 * Docker has no call that ends an exec, so every exec carries a marker in its environment, and
 * ending one means signalling, from inside the container, the processes whose environment holds
 * the marker — the shell and whatever it started.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Writable, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { TExecResult, TShellSession, TShellSize } from '../runtime-driver';

const SHELL_COMMAND = ['/bin/sh', '-c', 'command -v bash >/dev/null && exec bash || exec sh'];
const MARKER_VAR = 'ANVIL_EXEC_ID';
export const CONTAINER_EXEC_OUTPUT_LIMIT = 64 * 1024;
const HANGUP_GRACE_MS = 1000;

/** Opens an interactive shell (bash, else sh) with a TTY in the container. */
export async function openContainerShell(container: Docker.Container, size: TShellSize): Promise<TShellSession> {
  const marker = randomUUID();
  // The terminal speaks UTF-8: an image without a locale would show typed 你好 as escapes.
  const imageEnv = (await container.inspect()).Config.Env ?? [];
  const locale = imageEnv.some((e) => /^(LANG|LC_ALL)=./.test(e)) ? [] : ['LANG=C.UTF-8'];
  const exec = await container.exec({
    Cmd: SHELL_COMMAND, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true,
    Env: ['TERM=xterm-256color', `${MARKER_VAR}=${marker}`, ...locale],
  });
  // hijack + stdin: docker-modem hands back the raw, upgraded connection (a TTY exec is not multiplexed).
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true, ConsoleSize: [size.rows, size.cols] } as Docker.ExecStartOptions)) as Duplex;
  // The shell may start at 0x0: it is sized (and gets a SIGWINCH) before anyone can type into it.
  await sizeTty(exec, size);
  return new ContainerShell(container, exec, stream, marker);
}

class ContainerShell implements TShellSession {
  private exitDescription: string | undefined;
  private readonly exitListeners: ((description: string) => void)[] = [];
  private isClosing = false;

  constructor(
    private readonly container: Docker.Container,
    private readonly exec: Docker.Exec,
    private readonly stream: Duplex,
    private readonly marker: string,
  ) {
    let isEnded = false;
    const ended = () => {
      if (isEnded) return;
      isEnded = true;
      void exitDescriptionOf(exec).then((description) => this.exited(this.isClosing ? 'the shell was closed' : description));
    };
    stream.once('end', ended);
    stream.once('close', ended);
    // A broken connection ends the shell like its exit does.
    stream.on('error', ended);
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.stream.on('data', (chunk: Buffer) => listener(chunk));
  }

  onExit(listener: (description: string) => void): void {
    if (this.exitDescription !== undefined) listener(this.exitDescription);
    else this.exitListeners.push(listener);
  }

  write(data: string): void {
    if (this.exitDescription === undefined && !this.stream.destroyed) this.stream.write(data);
  }

  resize(size: TShellSize): void {
    if (this.exitDescription === undefined) this.exec.resize({ h: size.rows, w: size.cols }).catch(() => undefined);
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** Hangs the shell up (and what it started), kills what is left after a grace, and drops the connection. */
  close(): void {
    if (this.isClosing || this.exitDescription !== undefined) return;
    this.isClosing = true;
    this.stream.resume();
    void signalMarked(this.container, this.marker, 'HUP');
    setTimeout(() => {
      if (this.exitDescription !== undefined) return;
      void signalMarked(this.container, this.marker, 'KILL').finally(() => this.stream.destroy());
    }, HANGUP_GRACE_MS).unref();
  }

  private exited(description: string): void {
    if (this.exitDescription !== undefined) return;
    this.exitDescription = description;
    this.stream.destroy();
    for (const listener of this.exitListeners.splice(0)) listener(description);
  }
}

/** Runs `command` (argv, no shell, no TTY) in the container; stdout and stderr interleaved, capped at 64 KiB. */
export async function execInContainer(container: Docker.Container, command: string[], timeoutMs: number): Promise<TExecResult> {
  const marker = randomUUID();
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: false, Env: [`${MARKER_VAR}=${marker}`] });
  const stream = (await exec.start({})) as unknown as IncomingMessage;
  // Only `timeoutMs` bounds the command, not the engine client's request timeout.
  stream.socket?.setTimeout(0);
  const chunks: Buffer[] = [];
  let size = 0;
  // Past the cap the output is still read (a blocked pipe would stall the command) but dropped.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (size < CONTAINER_EXEC_OUTPUT_LIMIT) {
        const kept = chunk.subarray(0, CONTAINER_EXEC_OUTPUT_LIMIT - size);
        chunks.push(kept);
        size += kept.length;
      }
      done();
    },
  });
  container.modem.demuxStream(stream, sink, sink);
  const finished = new Promise<'done'>((resolve) => {
    stream.once('end', () => resolve('done'));
    stream.once('close', () => resolve('done'));
    stream.once('error', () => resolve('done'));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  const output = () => Buffer.concat(chunks).toString('utf8');
  if (outcome === 'timeout') {
    stream.destroy();
    void signalMarked(container, marker, 'KILL');
    return { exitCode: null, output: output(), isTimedOut: true };
  }
  return { exitCode: (await exitCodeOf(exec)) ?? null, output: output(), isTimedOut: false };
}

/** Resizes a just-started exec's TTY, retrying briefly while Docker has not set the process up yet. */
async function sizeTty(exec: Docker.Exec, size: TShellSize): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return void (await exec.resize({ h: size.rows, w: size.cols }));
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function exitDescriptionOf(exec: Docker.Exec): Promise<string> {
  const code = await exitCodeOf(exec);
  return code === undefined ? 'the container stopped' : `the shell exited (exit code ${code})`;
}

/** The exec's exit code once Docker has recorded it (a moment after its stream ends), or undefined. */
async function exitCodeOf(exec: Docker.Exec): Promise<number | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
    } catch {
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

/**
 * Signals, from inside the container, every process whose environment carries the exec's marker
 * (needs sh and grep). Best effort: a stopped container has nothing left to signal.
 */
async function signalMarked(container: Docker.Container, marker: string, signal: 'HUP' | 'KILL'): Promise<void> {
  const script = `for p in /proc/[0-9]*; do grep -qa '${MARKER_VAR}=${marker}' "$p/environ" 2>/dev/null && kill -${signal} "\${p#/proc/}" 2>/dev/null; done`;
  try {
    const killer = await container.exec({ Cmd: ['/bin/sh', '-c', script], AttachStdout: false, AttachStderr: false });
    await killer.start({ Detach: true });
  } catch {
    /* the container is gone */
  }
}

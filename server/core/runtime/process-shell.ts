/**
 * Shells and commands inside a process-runtime instance (CloudShell, EXEC checks): they run where
 * the model server runs — its working directory, its user and group, its environment, its memory
 * cap — and end with it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import * as pty from 'node-pty';
import type { TExecResult, TShellSession, TShellSize } from './runtime-driver';

/** What a command in an instance runs as: the instance's own context, remembered by the process driver at start. */
export type TInstanceContext = {
  instanceId: string;
  cwd: string;
  env: Record<string, string>;
  /** Set when Anvil is root: the instance's user and its group of its own. */
  user: { uid: number; gid: number } | null;
  /** `prlimit --as=<bytes> --` (the flavor's memory), or nothing. */
  capPrefix: string[];
  /** util-linux `setpriv`: drops to the instance's user with no supplementary groups (node-pty keeps root's otherwise). */
  setpriv?: string;
  /** Places a new process in the instance's cgroup, where it has one. */
  adopt(pid: number): void;
};

export const EXEC_OUTPUT_LIMIT = 64 * 1024;
const SHELL_HANGUP_GRACE_MS = 1000;

/** Opens a PTY shell (`/bin/bash`, else `/bin/sh`) in the instance. */
export function openPtyShell(ctx: TInstanceContext, size: TShellSize): PtyShell {
  const isBash = fs.existsSync('/bin/bash');
  const program = isBash ? ['/bin/bash', '-i'] : ['/bin/sh', '-i'];
  if (ctx.user && !ctx.setpriv) throw new Error('setpriv (util-linux) is not installed, so a shell cannot drop to the instance user; CloudShell is unavailable');
  // node-pty's setuid leaves root's supplementary groups in place: setpriv clears them and forbids regaining privileges.
  const drop = ctx.user ? [ctx.setpriv!, `--reuid=${ctx.user.uid}`, `--regid=${ctx.user.gid}`, '--clear-groups', '--no-new-privs', '--'] : [];
  const [file, ...args] = [...drop, ...ctx.capPrefix, ...program];
  const env: Record<string, string> = {
    ...ctx.env,
    TERM: 'xterm-256color',
    // The terminal speaks UTF-8: a shell in the C locale would show typed 你好 as escapes.
    ...(ctx.env.LANG || ctx.env.LC_ALL ? {} : { LANG: 'C.UTF-8' }),
  };
  const term = pty.spawn(file, args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: ctx.cwd, env, encoding: null });
  const shell = new PtyShell(term);
  try {
    ctx.adopt(term.pid);
  } catch (e) {
    shell.close();
    throw new Error(`cannot place the shell in the instance's cgroup: ${(e as Error).message}`);
  }
  return shell;
}

export class PtyShell implements TShellSession {
  private exitDescription: string | undefined;
  private readonly exitListeners: ((description: string) => void)[] = [];
  private closeReason: string | undefined;
  private hangupTimer: NodeJS.Timeout | undefined;

  constructor(private readonly term: pty.IPty) {
    term.onExit(({ exitCode, signal }) => {
      clearTimeout(this.hangupTimer);
      // Whatever the shell left running in its session (background jobs) ends with it.
      killSession(term.pid, 'SIGKILL');
      this.exitDescription = this.closeReason ?? (signal ? `the shell ended (signal ${signal})` : `the shell exited (exit code ${exitCode})`);
      for (const listener of this.exitListeners.splice(0)) listener(this.exitDescription);
    });
  }

  onData(listener: (chunk: Buffer) => void): void {
    // With `encoding: null` node-pty hands over the raw bytes (its typings say string).
    this.term.onData((data) => listener(data as unknown as Buffer));
  }

  onExit(listener: (description: string) => void): void {
    if (this.exitDescription !== undefined) listener(this.exitDescription);
    else this.exitListeners.push(listener);
  }

  write(data: string): void {
    if (this.exitDescription === undefined) this.term.write(data);
  }

  resize(size: TShellSize): void {
    if (this.exitDescription === undefined) this.term.resize(size.cols, size.rows);
  }

  pause(): void {
    this.term.pause();
  }

  resume(): void {
    this.term.resume();
  }

  /** Hangs up (as a closed terminal does), then kills what is left of the shell's session. */
  close(description = 'the shell was closed'): void {
    if (this.exitDescription !== undefined || this.closeReason !== undefined) return;
    this.closeReason = description;
    // A paused reader would keep the shell blocked on a full terminal, deaf to its hang-up.
    this.term.resume();
    killSession(this.term.pid, 'SIGHUP');
    this.hangupTimer = setTimeout(() => killSession(this.term.pid, 'SIGKILL'), SHELL_HANGUP_GRACE_MS);
  }
}

/** Runs `command` (argv, no shell) in the instance; output (stdout and stderr, interleaved) capped at 64 KiB. */
export function runInInstance(ctx: TInstanceContext, command: string[], timeoutMs: number): Promise<TExecResult> {
  if (command.length === 0) return Promise.reject(new Error('exec: empty command'));
  const [file, ...args] = [...ctx.capPrefix, ...command];
  // Its own process group, so a timeout ends what it forked too. Node (libuv) drops supplementary groups with uid/gid.
  const child = spawn(file, args, {
    cwd: ctx.cwd,
    env: ctx.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(ctx.user ? { uid: ctx.user.uid, gid: ctx.user.gid } : {}),
  });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let isTimedOut = false;
    let isSettled = false;
    const collect = (chunk: Buffer) => {
      // Past the cap the output is still read (a full pipe would block the command) but dropped.
      if (size >= EXEC_OUTPUT_LIMIT) return;
      chunks.push(chunk.subarray(0, EXEC_OUTPUT_LIMIT - size));
      size += Math.min(chunk.length, EXEC_OUTPUT_LIMIT - size);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const settle = (exitCode: number | null) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      clearTimeout(lateTimer);
      resolve({ exitCode, output: Buffer.concat(chunks).toString('utf8'), isTimedOut });
    };
    let lateTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      isTimedOut = true;
      killGroup(child.pid, 'SIGKILL');
      // A grandchild that left the group may hold the pipes open: stop waiting for them shortly after.
      lateTimer = setTimeout(() => settle(null), 1000);
    }, timeoutMs);
    child.once('spawn', () => {
      try {
        ctx.adopt(child.pid!);
      } catch {
        /* the cgroup is gone: the instance is stopping, and the timeout still bounds the command */
      }
    });
    child.once('error', (e) => {
      if (child.pid !== undefined) return;
      clearTimeout(timer);
      isSettled = true;
      reject(new Error(`exec: cannot run ${command[0]}: ${e.message}`));
    });
    // 'close' waits for the pipes: the output is complete.
    child.once('close', (code) => settle(isTimedOut ? null : code));
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Signals every process of the session a PTY shell leads (its jobs sit in process groups of their
 * own). A process that started a session of its own (setsid, nohup with disown) is out of reach:
 * the instance's cgroup, where there is one, ends it when the instance stops.
 */
export function killSession(sid: number, signal: NodeJS.Signals): void {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp session ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid) process.kill(Number(entry), signal);
    } catch {
      /* gone meanwhile */
    }
  }
}

/**
 * One CloudShell session: a driver's shell bound to one client. It owns the shell, the idle timer
 * and the flow control: output goes to the client chunk by chunk, and the shell stops being read
 * while more than `highWaterBytes` are on their way, so a client that does not keep up holds the
 * producer back (the kernel blocks it on a full terminal) instead of Anvil buffering without end.
 */
import type { TShellCloseReason } from '../../contracts/cloud-shell';
import { newId } from '../ids';
import type { TShellSession, TShellSize } from '../runtime/runtime-driver';

/** Where a session's output and end go (the socket.io adapter, or a test). */
export type TShellSink = {
  /** Sends a chunk; `onDelivered` is called once the client acknowledges it. */
  output(chunk: Buffer, onDelivered: () => void): void;
  closed(reason: TShellCloseReason, message: string): void;
};

export type TShellSessionOptions = {
  shell: TShellSession;
  sink: TShellSink;
  userId: string;
  userName: string;
  projectId: string;
  serviceId: string;
  instanceId: string;
  idleMs: number;
  highWaterBytes: number;
  /** Called once, after the shell is closed and the client told. */
  onClosed(session: ShellSession, message: string): void;
};

export class ShellSession {
  readonly id = newId();
  private unacked = 0;
  private isPaused = false;
  private isClosed = false;
  private readonly idleTimer: NodeJS.Timeout;

  constructor(private readonly opts: TShellSessionOptions) {
    this.idleTimer = setTimeout(() => this.close('idle'), opts.idleMs);
    opts.shell.onData((chunk) => this.forward(chunk));
  }

  get userId(): string {
    return this.opts.userId;
  }
  get userName(): string {
    return this.opts.userName;
  }
  get projectId(): string {
    return this.opts.projectId;
  }
  get serviceId(): string {
    return this.opts.serviceId;
  }
  get instanceId(): string {
    return this.opts.instanceId;
  }
  /** Bytes sent and not yet acknowledged. */
  get inFlightBytes(): number {
    return this.unacked;
  }

  /** Keystrokes and pastes: they also keep the session from going idle. */
  input(data: string): void {
    if (this.isClosed) return;
    this.idleTimer.refresh();
    this.opts.shell.write(data);
  }

  resize(size: TShellSize): void {
    if (!this.isClosed) this.opts.shell.resize(size);
  }

  /** Ends the session (idempotent): the shell is closed and the client told why. */
  close(reason: TShellCloseReason, detail?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.idleTimer);
    this.opts.shell.close();
    const message = detail ?? closeMessage(reason, this.opts.idleMs);
    try {
      this.opts.sink.closed(reason, message);
    } finally {
      this.opts.onClosed(this, message);
    }
  }

  private forward(chunk: Buffer): void {
    if (this.isClosed) return;
    this.unacked += chunk.length;
    let isDelivered = false;
    this.opts.sink.output(chunk, () => {
      if (isDelivered) return;
      isDelivered = true;
      this.delivered(chunk.length);
    });
    if (!this.isPaused && this.unacked > this.opts.highWaterBytes) {
      this.isPaused = true;
      this.opts.shell.pause();
    }
  }

  private delivered(bytes: number): void {
    this.unacked -= bytes;
    // Resume at half the mark, so a steady producer is not paused and resumed on every chunk.
    if (this.isPaused && !this.isClosed && this.unacked <= this.opts.highWaterBytes / 2) {
      this.isPaused = false;
      this.opts.shell.resume();
    }
  }
}

/** The English words for why a session ended (event X15 and the client's notice). */
export function closeMessage(reason: TShellCloseReason, idleMs: number): string {
  switch (reason) {
    case 'idle':
      return `idle for ${formatIdle(idleMs)}`;
    case 'instance-stopped':
      return 'the instance stopped';
    case 'shell-exited':
      return 'the shell exited';
    case 'disconnected':
      return 'the console disconnected';
    case 'anvil-closing':
      return 'Anvil is shutting down';
    case 'session-ended':
      return 'the console session ended';
  }
}

function formatIdle(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  const seconds = Math.round(ms / 1000);
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

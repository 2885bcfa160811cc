/** CloudShell's rules with a fake driver: who may open what, idle and instance ends, the per-user limit, flow control. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TInstanceStatus, TServiceStatus } from '../../contracts/services';
import { DomainBus } from '../bus';
import type { RuntimeDriver, TShellSession } from '../runtime/runtime-driver';
import type { EventLog } from '../telemetry/events';
import { CloudShell } from './cloud-shell';
import type { TShellSink } from './shell-session';

const SERVICE = '11111111-1111-1111-1111-111111111111';
const INSTANCE = '22222222-2222-2222-2222-222222222222';

class FakeShell implements TShellSession {
  written: string[] = [];
  isPaused = false;
  isClosed = false;
  private data?: (chunk: Buffer) => void;
  private exit?: (description: string) => void;
  onData(listener: (chunk: Buffer) => void) {
    this.data = listener;
  }
  onExit(listener: (description: string) => void) {
    this.exit = listener;
  }
  write(data: string) {
    this.written.push(data);
  }
  resize() {}
  pause() {
    this.isPaused = true;
  }
  resume() {
    this.isPaused = false;
  }
  close() {
    this.isClosed = true;
  }
  emit(bytes: number) {
    this.data!(Buffer.alloc(bytes, 'y'));
  }
  exitNow(description: string) {
    this.exit!(description);
  }
}

class RecordingSink implements TShellSink {
  acks: (() => void)[] = [];
  received = 0;
  closedWith?: { reason: string; message: string };
  output(chunk: Buffer, onDelivered: () => void) {
    this.received += chunk.length;
    this.acks.push(onDelivered);
  }
  closed(reason: string, message: string) {
    this.closedWith = { reason, message };
  }
}

let bus: DomainBus;
let shells: FakeShell[];
let service: { projectId: string; status: TServiceStatus } | undefined;
let instances: { id: string; status: TInstanceStatus }[];
let recorded: string[][];
let cloudShell: CloudShell;

const driver = { name: 'fake', openShell: async () => shells[shells.push(new FakeShell()) - 1] } as unknown as RuntimeDriver;
const open = (over: Partial<Parameters<CloudShell['open']>[0]> = {}) =>
  cloudShell.open({ userId: 'u1', userName: 'alice', projectId: 'p1', serviceId: SERVICE, instanceId: INSTANCE, size: { cols: 80, rows: 24 }, sink: new RecordingSink(), ...over });

beforeEach(() => {
  bus = new DomainBus();
  shells = [];
  service = { projectId: 'p1', status: 'running' };
  instances = [{ id: INSTANCE, status: 'ready' }];
  recorded = [];
  const events = { record: (_p: string, _t: string, _id: string, code: string, ...args: string[]) => recorded.push([code, ...args]) } as unknown as EventLog;
  cloudShell = new CloudShell({
    events, bus, driverOf: () => driver, service: () => service, instances: () => instances,
    limits: { idleMs: 1000, maxSessionsPerUser: 2, highWaterBytes: 1000 },
  });
});
afterEach(() => {
  cloudShell.close();
  vi.useRealTimers();
});

describe('who may open a shell', () => {
  it('answers another project\'s service exactly like a missing one', async () => {
    await expect(open({ projectId: 'p2' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `Service ${SERVICE} does not exist.` });
    service = undefined;
    await expect(open()).rejects.toMatchObject({ code: 'NOT_FOUND', message: `Service ${SERVICE} does not exist.` });
  });

  it('refuses a service that is not running, and an instance that is not serving or not its own', async () => {
    service = { projectId: 'p1', status: 'stopped' };
    await expect(open()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', message: /only while the service is running; it is stopped/ });
    service = { projectId: 'p1', status: 'concerning' };
    instances = [{ id: INSTANCE, status: 'starting' }];
    await expect(open()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', message: /is starting/ });
    await expect(open({ instanceId: SERVICE })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(shells).toHaveLength(0);
  });

  it('limits the sessions of one user, and records each open and close', async () => {
    const a = await open();
    await open();
    await expect(open()).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await open({ userId: 'u2', userName: 'bob' });
    a.close('disconnected');
    await open();
    expect(recorded.filter((r) => r[0] === 'X14')).toHaveLength(4);
    expect(recorded).toContainEqual(['X15', 'alice', INSTANCE, 'the console disconnected']);
  });
});

describe('how a session ends', () => {
  it('after the idle time without input; input keeps it open', async () => {
    vi.useFakeTimers();
    const sink = new RecordingSink();
    const session = await open({ sink });
    vi.advanceTimersByTime(800);
    session.input('ls\r');
    vi.advanceTimersByTime(800);
    expect(sink.closedWith).toBeUndefined();
    vi.advanceTimersByTime(300);
    expect(sink.closedWith).toEqual({ reason: 'idle', message: 'idle for 1 second' });
    expect(shells[0].isClosed).toBe(true);
    expect(shells[0].written).toEqual(['ls\r']);
  });

  it('when its instance stops, and when the shell exits', async () => {
    const first = new RecordingSink();
    await open({ sink: first });
    instances = [{ id: INSTANCE, status: 'stopping' }];
    bus.emit('instance.changed', { projectId: 'p1', serviceId: SERVICE, instanceId: INSTANCE });
    expect(first.closedWith?.reason).toBe('instance-stopped');

    instances = [{ id: INSTANCE, status: 'ready' }];
    const second = new RecordingSink();
    await open({ sink: second });
    shells[1].exitNow('the shell exited (exit code 0)');
    expect(second.closedWith).toEqual({ reason: 'shell-exited', message: 'the shell exited (exit code 0)' });
    expect(cloudShell.count()).toBe(0);
  });

  it('when Anvil closes, and no new session opens after', async () => {
    const sink = new RecordingSink();
    await open({ sink });
    cloudShell.close();
    expect(sink.closedWith?.reason).toBe('anvil-closing');
    await expect(open()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('flow control', () => {
  it('pauses the shell above the mark and resumes once the client has caught up', async () => {
    const sink = new RecordingSink();
    const session = await open({ sink });
    const shell = shells[0];
    for (let i = 0; i < 4; i++) shell.emit(300);
    expect(shell.isPaused).toBe(true);
    expect(session.inFlightBytes).toBe(1200);
    sink.acks[0]();
    sink.acks[0]();
    expect(shell.isPaused).toBe(true);
    sink.acks[1]();
    sink.acks[2]();
    expect(shell.isPaused).toBe(false);
    expect(session.inFlightBytes).toBe(300);
  });
});

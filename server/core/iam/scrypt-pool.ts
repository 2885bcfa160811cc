/**
 * Password hashing off the event loop, at low CPU priority: one or two worker threads (half the
 * cores, at most two) each run scrypt at `nice 10` on their own thread (Linux; elsewhere at normal
 * priority). Under a flood of logins the model servers and the event loop get the CPU first (about
 * ten times the share) and logins wait, instead of predictions waiting on logins.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Plain JavaScript, so the worker needs no TypeScript loader wherever Anvil runs. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
try {
  // /proc/thread-self names this thread's id: setpriority on it lowers this thread only.
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, 10);
} catch {}
parentPort.on('message', ({ id, password, salt, length }) => {
  try {
    parentPort.postMessage({ id, key: scryptSync(password, salt, length) });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});
`;

const WORKERS = Math.max(1, Math.min(2, Math.floor(availableParallelism() / 2)));

type TPending = { resolve(key: Buffer): void; reject(e: Error): void };
type TSlot = { worker: Worker; pending: Map<number, TPending> };

const slots: (TSlot | undefined)[] = Array.from({ length: WORKERS }, () => undefined);
let nextId = 0;

function startSlot(index: number): TSlot {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  worker.unref(); // an idle worker never keeps Anvil (or a test) alive
  const slot: TSlot = { worker, pending: new Map() };
  worker.on('message', (m: { id: number; key?: Uint8Array; error?: string }) => {
    const waiting = slot.pending.get(m.id);
    slot.pending.delete(m.id);
    if (slot.pending.size === 0) worker.unref();
    if (m.key) waiting?.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
    else waiting?.reject(new Error(`scrypt failed: ${m.error}`));
  });
  const fail = (e: Error) => {
    if (slots[index] === slot) slots[index] = undefined; // the next call starts a fresh worker
    for (const waiting of slot.pending.values()) waiting.reject(e);
    slot.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the password worker exited (${code})`)));
  return slot;
}

/** scrypt(password, salt, length) on the least busy low-priority worker thread. */
export function scryptLowPriority(password: string, salt: Buffer, length: number): Promise<Buffer> {
  let index = 0;
  for (let i = 1; i < slots.length; i++) if ((slots[i]?.pending.size ?? 0) < (slots[index]?.pending.size ?? 0)) index = i;
  const slot = (slots[index] ??= startSlot(index));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    slot.pending.set(id, { resolve, reject });
    slot.worker.ref();
    slot.worker.postMessage({ id, password, salt, length });
  });
}

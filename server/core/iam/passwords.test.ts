import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashPassword, hashPasswordSync, verifyPassword } from './passwords';

const stored = hashPasswordSync('correct horse');

describe('passwords', () => {
  it('accepts the right password only; an unknown user (no stored hash) or a malformed hash never passes', async () => {
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('wrong', stored)).toBe(false);
    expect(await verifyPassword('correct horse', undefined)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain-text')).toBe(false);
  });

  it('hashes new passwords off the event loop too (administrators create users while Anvil serves)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const hashes = await Promise.all([hashPassword('p1'), hashPassword('p2'), hashPassword('p3')]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
    expect(await verifyPassword('p2', hashes[1])).toBe(true);
    expect(await verifyPassword('p1', hashes[1])).toBe(false);
  });

  it('never blocks the event loop: timers keep firing while passwords are checked', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([verifyPassword('a', stored), verifyPassword('b', undefined), verifyPassword('c', stored)]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5); // three scrypt runs take ~100 ms of CPU: a blocked loop would tick at most once
  });

  it.runIf(fs.existsSync('/proc/thread-self'))('hashes on a thread of low CPU priority (nice 10)', async () => {
    await verifyPassword('x', stored);
    const nice = fs.readdirSync(`/proc/${process.pid}/task`).map((tid) => {
      const stat = fs.readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    expect(nice).toContain(10);
  });
});

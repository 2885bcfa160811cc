import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { InstanceLogs } from './instance-logs';

const db = openDatabase(':memory:');
const logs = new InstanceLogs(db);
const count = (serviceId: string) => (db.prepare('SELECT COUNT(*) AS n FROM logs WHERE service_id = ?').get(serviceId) as { n: number }).n;

afterEach(() => logs.flush());

it('drops the buffered lines of a deleted service and any that arrive later (no orphan rows)', async () => {
  logs.append('deleted', 'i1', 'stdout', 'buffered before the delete');
  logs.append('kept', 'i2', 'stdout', 'another service');
  logs.forget('deleted');
  logs.append('deleted', 'i1', 'stderr', 'written while the instance stopped');
  await new Promise((r) => setTimeout(r, 300));
  expect(count('deleted')).toBe(0);
  expect(count('kept')).toBe(1);
});

it('gives the last lines of a service, oldest first', () => {
  for (let i = 1; i <= 5; i++) logs.append('tail', 'i', 'stdout', `line ${i}`);
  expect(logs.tail('tail', 3)).toEqual(['line 3', 'line 4', 'line 5']);
});

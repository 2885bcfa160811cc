import { describe, expect, it } from 'vitest';
import { SERVICE_STATUSES, type TServiceStatus } from './services';
import { checkOperation, SERVICE_OPERATIONS, type TServiceOperation } from './service-lifecycle';

/** Every (status, operation) pair, written out: guide §3.4 plus stop while deploying/waiting. */
const EXPECTED: Record<TServiceStatus, Record<TServiceOperation, boolean>> = {
  deploying: { start: false, stop: true, restart: false, delete: true },
  waiting: { start: false, stop: true, restart: false, delete: true },
  running: { start: false, stop: true, restart: true, delete: true },
  concerning: { start: false, stop: true, restart: true, delete: true },
  failed: { start: true, stop: false, restart: false, delete: true },
  stopping: { start: false, stop: false, restart: false, delete: true },
  stopped: { start: true, stop: false, restart: false, delete: true },
  deleting: { start: false, stop: false, restart: false, delete: false },
};

describe('service state machine', () => {
  const pairs = SERVICE_STATUSES.flatMap((status) => SERVICE_OPERATIONS.map((op) => [status, op] as const));

  it('covers all 32 pairs', () => expect(pairs).toHaveLength(32));

  it.each(pairs)('%s → %s', (status, op) => {
    const check = checkOperation(status, op);
    expect(check.isAllowed).toBe(EXPECTED[status][op]);
    if (!check.isAllowed) expect(check.reason).toMatch(op === 'delete' ? /already being deleted/ : new RegExp(`^A ${status} service cannot be`));
  });
});

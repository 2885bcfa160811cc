/**
 * The online-service state machine (guide §3.4, GUIDE-INDEX §A decision 18): which operation is
 * allowed from which status. The core enforces it; the console enables its buttons from it.
 */
import type { TServiceStatus } from './services';

export const SERVICE_OPERATIONS = ['start', 'stop', 'restart', 'delete'] as const;
export type TServiceOperation = (typeof SERVICE_OPERATIONS)[number];

/**
 * Guide §3.4: start from Abnormal (`failed`) or Stopped, never while Deploying; stop a running
 * service; restart only Running or Alarm (`concerning`); delete in any state. Anvil also lets a
 * user stop a service that is still `deploying` or `waiting` for resources (nothing else could
 * cancel a 120-minute deploy short of deleting it).
 */
export const ALLOWED_FROM: Record<TServiceOperation, readonly TServiceStatus[]> = {
  start: ['stopped', 'failed'],
  stop: ['deploying', 'waiting', 'running', 'concerning'],
  restart: ['running', 'concerning'],
  delete: ['deploying', 'waiting', 'running', 'concerning', 'failed', 'stopping', 'stopped'],
};

export type TOperationCheck = { isAllowed: true } | { isAllowed: false; reason: string };

/** Whether `operation` is allowed on a service in `status`, and if not, a sentence saying why. */
export function checkOperation(status: TServiceStatus, operation: TServiceOperation): TOperationCheck {
  const allowed = ALLOWED_FROM[operation];
  if (allowed.includes(status)) return { isAllowed: true };
  if (operation === 'delete') return { isAllowed: false, reason: 'The service is already being deleted.' };
  return {
    isAllowed: false,
    reason: `A ${status} service cannot be ${PAST[operation]}; ${operation} is allowed when the service is ${allowed.join(', ')}.`,
  };
}

const PAST: Record<TServiceOperation, string> = { start: 'started', stop: 'stopped', restart: 'restarted', delete: 'deleted' };

/**
 * Alarm webhooks: a JSON body POSTed to the rule's URL, signed so the receiver can check it came
 * from Anvil and was not replayed: `X-Anvil-Signature: sha256=<hex HMAC-SHA256(secret,
 * "<X-Anvil-Timestamp>.<body>")>`. A failed attempt (no answer in 10 s, or not 2xx) is retried after
 * each of `retryDelaysMs`; every attempt is recorded for the delivery history.
 */
import { createHmac } from 'node:crypto';

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000];

export type TAttempt = { attempt: number; status: 'delivered' | 'failed' | 'retrying'; httpStatus: number | null; error: string };

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Delivers one body, retrying; `record` sees every attempt. Never throws. */
export async function deliverWebhook(
  request: { url: string; secret: string; event: string; deliveryId: string; body: string },
  record: (attempt: TAttempt) => void,
  retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
): Promise<boolean> {
  for (let attempt = 1; attempt <= retryDelaysMs.length + 1; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    let httpStatus: number | null = null;
    let error = '';
    try {
      const res = await fetch(request.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json', 'user-agent': 'Anvil-Webhook/1', 'x-anvil-event': request.event, 'x-anvil-delivery': request.deliveryId,
          'x-anvil-timestamp': timestamp, 'x-anvil-signature': signWebhook(request.secret, timestamp, request.body),
        },
        body: request.body,
      });
      httpStatus = res.status;
      // The answer's body is not read: a receiver must not be able to fill Anvil's memory.
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) {
        record({ attempt, status: 'delivered', httpStatus, error: '' });
        return true;
      }
      error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : String((e as Error).cause ?? (e as Error).message);
    }
    const isLast = attempt > retryDelaysMs.length;
    record({ attempt, status: isLast ? 'failed' : 'retrying', httpStatus, error });
    if (!isLast) await new Promise((r) => setTimeout(r, retryDelaysMs[attempt - 1]));
  }
  return false;
}

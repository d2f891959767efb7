import { setTimeout as sleepFor } from 'node:timers/promises';
import { SIGNATURE_HEADER, signWebhookBody } from '#shared/whatsapp/signature';

export interface WebhookDelivery {
  url: string;
  appSecret: string;
  /** Real milliseconds to wait before each retry; its length is the number of retries. */
  retryDelaysMs: readonly number[];
  attemptTimeoutMs: number;
  log: (line: string) => void;
  /** Aborted when the simulator closes: pending waits and requests stop. */
  signal: AbortSignal;
}

/**
 * Posts one webhook the way Meta does: the exact body bytes, signed with the app secret;
 * a non-2xx answer or a network error is retried with backoff, then dropped with a log line.
 * Meta keeps retrying for up to 7 days; locally a few short retries show the same behaviour.
 * `label` names the webhook in logs and must not hold a phone number.
 * Resolves true when the receiver acknowledged it.
 */
export async function postWebhook(delivery: WebhookDelivery, body: string, label: string): Promise<boolean> {
  const headers = {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signWebhookBody(body, delivery.appSecret),
    'user-agent': 'facebookexternalua',
  };
  const attempts = delivery.retryDelaysMs.length + 1;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptPost(delivery, headers, body);
    if (outcome === 'acknowledged') return true;
    if (delivery.signal.aborted) return false;
    const delayMs = delivery.retryDelaysMs[attempt - 1];
    if (delayMs === undefined) {
      delivery.log(`meta-simulator: dropped webhook (${label}) after ${attempts} attempt${attempts === 1 ? '' : 's'}; last: ${outcome}`);
      return false;
    }
    delivery.log(`meta-simulator: webhook (${label}) ${outcome}; retry ${attempt}/${attempts - 1} in ${delayMs} ms`);
    if (!(await sleep(delayMs, delivery.signal))) return false;
  }
}

async function attemptPost(delivery: WebhookDelivery, headers: Record<string, string>, body: string): Promise<string> {
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.any([delivery.signal, AbortSignal.timeout(delivery.attemptTimeoutMs)]),
    });
    // Read the answer to the end so the connection goes back to the pool.
    await response.arrayBuffer();
    return response.ok ? 'acknowledged' : `answered HTTP ${response.status}`;
  } catch (error) {
    return `failed: ${describeFetchError(error)}`;
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and hides the reason (ECONNREFUSED, …) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** Resolves false instead of waiting when the simulator is closing. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleepFor(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

import type { VirtualClock } from '#shared/clock';
import { SILENT_RECIPIENTS, type Recipients } from './recipients';
import type { DeliveryStatus } from './status-webhook';
import type { ApprovedTemplate } from './templates';

/** Who the simulator's webhooks say they come from, unless told otherwise (`entry[].id`, `metadata.display_phone_number`). */
export const SIMULATED_WABA_ID = '100000000000001';
export const SIMULATED_DISPLAY_PHONE_NUMBER = '15550000000';

export type StatusDelaysSeconds = Record<DeliveryStatus, number>;

export interface MetaSimulatorOptions {
  /** The system user token the sender must present as `Authorization: Bearer …`. */
  accessToken: string;
  /** Signs every webhook (`X-Hub-Signature-256`), as Meta does with the app secret. */
  appSecret: string;
  /** The only business phone number id this account has; sends to others are refused. */
  phoneNumberId: string;
  /** Where status webhooks are posted (the local API Gateway's webhook route). */
  webhookUrl: string;
  /** The clock the whole local stack shares: statuses are stamped and timed on it. */
  clock: Pick<VirtualClock, 'now' | 'realDelayUntil'>;
  /**
   * Approved templates. When given, sends are checked against them like Meta does
   * (132001 unknown name/language, 132000 wrong body parameter count).
   * @default every template is accepted as utility
   */
  templates?: readonly ApprovedTemplate[];
  /**
   * Virtual seconds after acceptance at which each status webhook is due.
   * @default { sent: 1, delivered: 5, read: 60 }
   */
  statusDelaysSeconds?: Partial<StatusDelaysSeconds>;
  /**
   * What happens to each accepted send on the customer's side: delivered or failed, and an
   * answer or none (simulated customers, `local/customers`).
   * @default every message is delivered and read, and nobody answers
   */
  recipients?: Recipients;
  /** @default '100000000000001' (`entry[].id` of every webhook) */
  wabaId?: string;
  /** @default '15550000000' (`metadata.display_phone_number`) */
  displayPhoneNumber?: string;
  /**
   * Real milliseconds before each webhook retry. Real, not virtual: with a fast virtual
   * clock, Meta's days of retries would shrink to nothing.
   * @default [250, 1000, 4000]
   */
  webhookRetryDelaysMs?: readonly number[];
  /** @default 10000 */
  webhookTimeoutMs?: number;
  /** @default console.log */
  log?: (line: string) => void;
}

export type ResolvedOptions = Required<Omit<MetaSimulatorOptions, 'templates' | 'statusDelaysSeconds'>> & {
  templates: readonly ApprovedTemplate[] | undefined;
  statusDelaysSeconds: StatusDelaysSeconds;
};

const DEFAULT_STATUS_DELAYS_SECONDS: StatusDelaysSeconds = { sent: 1, delivered: 5, read: 60 };

/** Fills defaults and rejects options that would make the simulator misbehave later, naming the option. */
export function resolveOptions(options: MetaSimulatorOptions): ResolvedOptions {
  for (const name of ['accessToken', 'appSecret', 'phoneNumberId'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') throw new Error(`createMetaSimulator: options.${name} must be a non-empty string`);
  }
  if (!URL.canParse(options.webhookUrl)) throw new Error(`createMetaSimulator: options.webhookUrl must be an absolute URL, got ${JSON.stringify(options.webhookUrl)}`);
  const statusDelaysSeconds = { ...DEFAULT_STATUS_DELAYS_SECONDS, ...options.statusDelaysSeconds };
  for (const [status, seconds] of Object.entries(statusDelaysSeconds)) {
    if (!(Number.isFinite(seconds) && seconds >= 0)) throw new Error(`createMetaSimulator: options.statusDelaysSeconds.${status} must be a number of seconds ≥ 0, got ${seconds}`);
  }
  const webhookRetryDelaysMs = options.webhookRetryDelaysMs ?? [250, 1000, 4000];
  if (!webhookRetryDelaysMs.every((ms) => Number.isFinite(ms) && ms >= 0)) throw new Error('createMetaSimulator: options.webhookRetryDelaysMs must hold milliseconds ≥ 0');
  return {
    ...options,
    templates: options.templates,
    statusDelaysSeconds,
    wabaId: options.wabaId ?? SIMULATED_WABA_ID,
    displayPhoneNumber: options.displayPhoneNumber ?? SIMULATED_DISPLAY_PHONE_NUMBER,
    webhookRetryDelaysMs,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    recipients: options.recipients ?? SILENT_RECIPIENTS,
    log: options.log ?? ((line) => console.log(line)),
  };
}

import { z } from 'zod';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DOMAIN_EVENT_SOURCE } from '#shared/events/domain';
import { HELPDESK_EVENT_SOURCE } from '#shared/events/helpdesk';
import { journeyConfigSchema } from '#shared/journey/config';
import { ALARM_DEFAULTS } from '#shared/kpi/targets';
import { isIanaTimeZone } from '#shared/time-zone';

/**
 * The `posventa` object in cdk.json's `context`: everything a deployer may change without
 * touching code. Every key has a default except the ones only the deployer can know.
 */

const fraction = (what: string) => z.number().gt(0, `must be a fraction above 0 (${what}; 0.003 = 0.3 %)`).max(1, `must be a fraction up to 1 (${what}; 0.003 = 0.3 %)`);
const minimumVolume = (what: string) => z.number().int(`must be a whole number of ${what}`).min(1, `must be at least 1 (${what})`);

/**
 * Alarm thresholds (defaults: shared/kpi/targets.ts `ALARM_DEFAULTS`, which the local dashboard
 * shows too). Each rate alarm judges a period only above its minimum volume.
 */
const alarmsSchema = z
  .object({
    blockRate: fraction('blocked or undeliverable / sent').default(ALARM_DEFAULTS.blockRate),
    failureRate: fraction('failed / sent').default(ALARM_DEFAULTS.failureRate),
    minimumSent: minimumVolume('messages sent a day').default(ALARM_DEFAULTS.minimumSent),
    day7ResponseRateFloor: fraction('day-7 responders / delivered').default(ALARM_DEFAULTS.day7ResponseRateFloor),
    minimumDay7Delivered: minimumVolume('day-7 messages delivered a day').default(ALARM_DEFAULTS.minimumDay7Delivered),
    npsFloor: z.number().min(-100, 'must be an NPS from -100 to 100').max(100, 'must be an NPS from -100 to 100').default(ALARM_DEFAULTS.npsFloor),
    minimumNpsAnswers: minimumVolume('NPS answers a day').default(ALARM_DEFAULTS.minimumNpsAnswers),
    templateQuality: z
      .enum(['YELLOW', 'RED'], 'must be "YELLOW" or "RED" (the rating, or worse, that raises the alarm)')
      .default(ALARM_DEFAULTS.templateQuality as 'YELLOW' | 'RED'),
    webhook5xxRate: fraction('5xx answers / requests').default(ALARM_DEFAULTS.webhook5xxRate),
    minimumWebhookRequests: minimumVolume('requests in 5 minutes').default(ALARM_DEFAULTS.minimumWebhookRequests),
  })
  .strict();

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter((value): value is number => typeof value === 'number');

export const posventaConfigSchema = z
  .object({
    /** Name of the EventBridge bus stores put purchases on and Posventa emits its events to. */
    eventBusName: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,256}$/, 'must be 1–256 letters, digits, ".", "_" or "-" (an EventBridge bus name)')
      .refine((name) => name !== 'default', 'must not be "default": Posventa creates its own bus')
      .default('posventa'),
    /** `source` of the purchase events the store puts on the bus. */
    purchaseEventSource: z
      .string()
      .min(1, 'must not be empty')
      .refine((source) => source !== DOMAIN_EVENT_SOURCE, `must differ from "${DOMAIN_EVENT_SOURCE}", the source of Posventa's own events`)
      .refine((source) => !source.startsWith('aws.'), 'must not start with "aws." (reserved for AWS services)')
      .default('posventa.store'),
    /** `source` of the helpdesk events (Ticket Opened / Reopened / Closed, Agent Replied) the store's helpdesk puts on the bus. */
    helpdeskEventSource: z
      .string()
      .min(1, 'must not be empty')
      .refine((source) => source !== DOMAIN_EVENT_SOURCE, `must differ from "${DOMAIN_EVENT_SOURCE}", the source of Posventa's own events`)
      .refine((source) => !source.startsWith('aws.'), 'must not start with "aws." (reserved for AWS services)')
      .default(HELPDESK_EVENT_SOURCE),
    /** `detail-type`s that start a journey. */
    journeyTriggerDetailTypes: z
      .array(z.string().min(1, 'must not be empty'))
      .min(1, 'must list at least one detail-type')
      .default(['Purchase Completed']),
    /** Meta Graph API version the send step calls, e.g. "v23.0". */
    graphApiVersion: z
      .string()
      .regex(/^v\d+\.\d+$/, 'must look like "v23.0"')
      .default('v23.0'),
    /**
     * WhatsApp Business phone number id (WhatsApp Manager → API Setup). Only the deployer
     * knows it; empty or absent synthesizes with a warning, and sends fail until it is set.
     */
    whatsappPhoneNumberId: z
      .string()
      .regex(/^\d*$/, 'must be the numeric phone number id from WhatsApp Manager → API Setup')
      .optional()
      .transform((id) => (id === '' ? undefined : id)),
    /** IANA time zone in which KPI days start and end. */
    reportingTimeZone: z
      .string()
      .refine(isIanaTimeZone, 'must be an IANA time zone such as "UTC" or "America/Argentina/Buenos_Aires"')
      .default('UTC'),
    /** Days CloudWatch keeps function, state machine and API access logs. */
    logRetentionDays: z
      .number()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention periods)`)
      .default(30),
    /** Days the event archive keeps Posventa's own events for replay; 0 keeps them forever. */
    eventArchiveRetentionDays: z.number().int('must be a whole number of days').min(0, 'must be 0 (forever) or more').default(365),
    /** SSM parameter holding the webhook verify token you also type into Meta's webhook settings. */
    verifyTokenParameterName: z
      .string()
      .regex(/^\/[A-Za-z0-9_.\-/]+$/, 'must be an SSM parameter path such as "/posventa/meta/verify-token"')
      .default('/posventa/meta/verify-token'),
    /**
     * Steady requests per second and burst the HTTP API (webhook and KPI API) accepts; above
     * them API Gateway answers 429, and Meta retries the webhooks it throttled.
     */
    httpApiThrottle: z
      .object({
        rateLimit: z.number().positive('must be above 0 (requests per second)').default(1000),
        burstLimit: z.number().int('must be a whole number of requests').positive('must be above 0').default(2000),
      })
      .strict()
      .default({ rateLimit: 1000, burstLimit: 2000 }),
    /**
     * A customer's reply that quotes no message (no `context.id`) answers their last journey
     * message only if it comes at most this many days after it; later, it is a message to a person.
     */
    unquotedReplyMaxAgeDays: z.number().positive('must be a number of days above 0').default(7),
    /** E-mail address subscribed to the alarm topic (it must confirm the subscription). */
    alarmEmail: z.email('must be an e-mail address').optional(),
    /** Thresholds of the KPI and webhook alarms (infra/constructs/dashboards.ts); every key optional. */
    alarms: alarmsSchema.default(alarmsSchema.parse({})),
    /**
     * The journey: milestones (day, category, variant weights), send window, default time
     * zone, quiet days per country, holdout share. The functions get it as one JSON
     * variable and parse it with this same schema (shared/journey/config.ts, zod/mini).
     */
    journey: journeyConfigSchema,
  })
  .strict();

/** The config as written in cdk.json (every key optional). */
export type PosventaConfigInput = z.input<typeof posventaConfigSchema>;
/** The config with defaults applied, as the stack uses it. */
export type PosventaConfig = z.output<typeof posventaConfigSchema>;

/** The context key cdk.json holds the config under. */
export const CONFIG_CONTEXT_KEY = 'posventa';

/**
 * Validates the `posventa` context object and applies defaults. Throws one error that
 * lists every problem as `posventa.<key>: <what is wrong>`, so a typo in cdk.json is found
 * before anything is built.
 */
export function parseConfig(input: unknown): PosventaConfig {
  const result = posventaConfigSchema.safeParse(fromCommandLine(input) ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => (path === '' ? key : `${path}.${key}`)).join(', ') : path;
    const where = keys === '' ? CONFIG_CONTEXT_KEY : `${CONFIG_CONTEXT_KEY}.${keys}`;
    const message = issue.code === 'unrecognized_keys' ? 'is not a Posventa setting (check the spelling)' : issue.message;
    return `  ${where}: ${message}`;
  });
  throw new Error(`Invalid "${CONFIG_CONTEXT_KEY}" context in cdk.json:\n${problems.join('\n')}`);
}

/** `cdk synth -c posventa='{"graphApiVersion":"v24.0"}'` passes the object as a JSON string. */
function fromCommandLine(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

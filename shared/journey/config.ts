import * as z from 'zod/mini';
import { ENV, requireEnv } from '../env';
import { templatesForMilestone } from '../templates/catalogue';
import { isIanaTimeZone } from '../time-zone';
import { parseWith } from '../validation';
import { DEFAULT_MILESTONES, MILESTONE_IDS, NO_REPLY_FALLBACK_MILESTONE, type MilestoneId, type TemplateCategory } from './milestones';
import { NPS_SURVEY_MILESTONE } from './frequency-cap';
import { ANY_COUNTRY, WEEKDAYS } from './send-window';

/**
 * The journey settings: when milestones are due, when and where customers may be messaged,
 * who is held out, how variants are weighted. A deployer writes them under
 * `posventa.journey` in cdk.json; the stack validates them with this schema and hands them
 * to the functions as one JSON environment variable (`JOURNEY_CONFIG`), which they parse
 * again with the same schema. zod/mini, so it costs the Lambda bundles little.
 */

/**
 * Step Functions ends a standard execution after one year; the last milestone, moved by
 * the send window and quiet days, must still fit.
 */
export const MAX_MILESTONE_DAY = 350;

export const MAX_ATTRIBUTION_WINDOW_DAYS = 30;
export const MAX_REPURCHASE_WINDOW_DAYS = 90;

/** A follow-up waits at most this long (30 days). */
export const MAX_FOLLOW_UP_HOURS = 720;

const CATEGORIES = ['utility', 'marketing'] as const satisfies readonly TemplateCategory[];

function catalogueCategory(milestone: MilestoneId): TemplateCategory {
  const [template] = templatesForMilestone(milestone);
  if (template === undefined) throw new Error(`No template in the catalogue for milestone ${milestone}`);
  return template.category;
}

const milestoneSchema = z.pipe(
  z.strictObject({
    id: z.enum(MILESTONE_IDS, `must be one of ${MILESTONE_IDS.join(', ')}`),
    /** Days after the purchase; the send window then moves it to a time the customer may be messaged. */
    day: z.int('must be a whole number of days').check(
      z.minimum(1, 'must be at least 1'),
      z.maximum(MAX_MILESTONE_DAY, `must be at most ${MAX_MILESTONE_DAY}: a Step Functions execution lasts at most a year`),
    ),
    /** Meta category of the milestone's templates; only checked, since Meta fixes it per template. */
    category: z.optional(z.enum(CATEGORIES, `must be one of ${CATEGORIES.join(', ')}`)),
    /** Weight per variant ("A", "B"…) over the catalogue's; 0 turns a variant off (e.g. to keep a winner). */
    variants: z.optional(z.record(z.string(), z.number().check(z.minimum(0, 'a variant weight must be 0 or more')))),
  }),
  z.transform((m) => ({ ...m, category: m.category ?? catalogueCategory(m.id) })),
);

const clock = (end: boolean) =>
  z.string().check(z.regex(end ? /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/ : /^([01]\d|2[0-3]):[0-5]\d$/, `must be a local time "HH:MM" (00:00–${end ? '24:00' : '23:59'})`));

const quietDaysSchema = z.strictObject({
  weekdays: z._default(
    z.array(z.enum(WEEKDAYS, `must be one of ${WEEKDAYS.join(', ')}`)).check(z.refine((days) => new Set(days).size < WEEKDAYS.length, 'must leave at least one weekday to send on')),
    [],
  ),
  /** "YYYY-MM-DD" for one date, "MM-DD" for a date every year (1 January, 25 December…). */
  dates: z._default(z.array(z.string().check(z.refine(isCalendarDate, 'must be a date "YYYY-MM-DD", or "MM-DD" for every year'))), []),
});

const followUpHours = (fallback: number) =>
  z._default(
    z.number('must be a number of hours').check(z.minimum(0, 'must be 0 (off) or more'), z.maximum(MAX_FOLLOW_UP_HOURS, `must be at most ${MAX_FOLLOW_UP_HOURS} hours`)),
    fallback,
  );

/**
 * How long after a message the journey looks at what came of it (shared/journey/follow-up.ts),
 * in hours; 0 turns that follow-up off. A milestone's follow-ups run before the next milestone.
 */
const followUpsSchema = z.strictObject({
  /** A day-7 message without a reply after this long emits `Fallback Requested`. */
  day7NoReplyHours: followUpHours(72),
  /** An NPS survey without an answer after this long gets one reminder (moved into the send window). */
  npsReminderHours: followUpHours(48),
  /** After the reminder, this long without an answer records "no answer" (`NPS Unanswered`). */
  npsNoAnswerHours: followUpHours(48),
  /** A marketing message is checked for Meta's `failed` status (131049 retried, 131050 opt-out) this long after it went out. */
  marketingStatusCheckHours: followUpHours(24),
  /**
   * A send Meta may or may not have taken (no answer, a cut connection, a step that died) is
   * looked up this long after it among Meta's status webhooks: taken, it is recorded sent; not,
   * it is sent again (shared/journey/reconcile.ts). Long enough for Meta's retries of a status
   * our webhook missed for a while, since a status later than this means a double send; 0 never resends.
   */
  unconfirmedCheckHours: followUpHours(6),
});

const journeySettingsSchema = z.pipe(
  z.strictObject({
    /** Milestones in the order they are sent. */
    milestones: z._default(
      z.array(milestoneSchema).check(z.minLength(1, 'must list at least one milestone')),
      DEFAULT_MILESTONES.map(({ id, day, category }) => ({ id, day, category })),
    ),
    /** Local hours customers may be messaged in: start ≤ time < end, in their own time zone. */
    sendWindow: z._default(z.strictObject({ start: clock(false), end: clock(true) }), { start: '09:00', end: '20:00' }),
    /** Zone used when a customer's time zone is unknown to the runtime. */
    defaultTimeZone: z._default(
      z.string().check(z.refine(isIanaTimeZone, 'must be an IANA time zone such as "UTC" or "America/Argentina/Buenos_Aires"')),
      'UTC',
    ),
    /**
     * Days nothing is sent, by ISO 3166-1 alpha-2 country (the customer's country comes
     * from their phone number); `*` for countries without an entry of their own.
     */
    quietDays: z._default(
      z.record(
        z.string().check(z.regex(/^([A-Z]{2}|\*)$/, `must be an ISO country code in capitals ("AR", "ES") or "${ANY_COUNTRY}"`)),
        quietDaysSchema,
      ),
      {},
    ),
    /** Fraction of customers held out (enrolled, never messaged): 0.05 is 5 %. */
    holdoutShare: z._default(
      z.number().check(z.minimum(0, 'must be 0 or more'), z.lt(1, 'must be a fraction below 1 (0.05 holds out 5 %)')),
      0,
    ),
    /**
     * Days before a purchase in which a delivered journey message gets it attributed (last
     * touch). At most 30: the per-contact record of deliveries is kept 60 days.
     */
    attributionWindowDays: z._default(
      z.number().check(z.gt(0, 'must be more than 0 days'), z.lte(MAX_ATTRIBUTION_WINDOW_DAYS, `must be at most ${MAX_ATTRIBUTION_WINDOW_DAYS} days`)),
      5,
    ),
    /**
     * Days after a journey's purchase in which the customer's next purchase counts as a
     * repurchase of that journey's cohort (the 60-day repurchase rate). At most 90: the
     * contact's journey index is kept 30 days after the last milestone.
     */
    repurchaseWindowDays: z._default(
      z.int('must be a whole number of days').check(z.minimum(1, 'must be at least 1'), z.maximum(MAX_REPURCHASE_WINDOW_DAYS, `must be at most ${MAX_REPURCHASE_WINDOW_DAYS}`)),
      60,
    ),
    /** After a send: the NPS reminder and "no answer", the day-7 fallback, Meta's late `failed` statuses. */
    followUps: z.prefault(followUpsSchema, {}),
  }),
  z.transform((config, ctx) => {
    checkMilestones(config.milestones, ctx);
    checkFollowUps(config, ctx);
    const [open, close] = [config.sendWindow.start, config.sendWindow.end];
    if (open >= close) ctx.issues.push({ code: 'custom', input: config.sendWindow, path: ['sendWindow'], message: `must open before it closes (start ${open}, end ${close})` });
    return config;
  }),
);

/** The journey settings; absent, every default. */
export const journeyConfigSchema = z.prefault(journeySettingsSchema, {});

export type JourneyConfigInput = z.input<typeof journeyConfigSchema>;
export type JourneyConfig = z.output<typeof journeyConfigSchema>;
export type MilestoneSettings = JourneyConfig['milestones'][number];

type Ctx = Parameters<Parameters<typeof z.transform>[0]>[1];

function checkMilestones(milestones: readonly MilestoneSettings[], ctx: Ctx): void {
  milestones.forEach((m, index) => {
    const issue = (message: string, ...path: Array<string | number>) =>
      ctx.issues.push({ code: 'custom', input: m, path: ['milestones', index, ...path], message });
    const previous = milestones[index - 1];
    if (milestones.findIndex((other) => other.id === m.id) !== index) issue(`repeats milestone ${m.id}`, 'id');
    if (previous !== undefined && m.day <= previous.day) issue(`must come after ${previous.id} (day ${previous.day}): milestones are sent in the order listed`, 'day');
    if (m.category !== catalogueCategory(m.id)) issue(`must be ${catalogueCategory(m.id)}, the Meta category of ${m.id}'s templates`, 'category');
    const variants = templatesForMilestone(m.id);
    for (const variant of Object.keys(m.variants ?? {})) {
      if (!variants.some((t) => t.variant === variant)) issue(`${m.id} has no variant "${variant}" (it has ${variants.map((t) => `${t.variant}: ${t.name}`).join(', ')})`, 'variants');
    }
    if (!variants.some((t) => (m.variants?.[t.variant] ?? t.weight) > 0)) issue('must leave at least one variant with a weight above 0', 'variants');
  });
}

/** A milestone's follow-ups must be over before the next milestone is due, or they would delay it. */
function checkFollowUps(config: Pick<JourneyConfig, 'milestones' | 'followUps'>, ctx: Ctx): void {
  config.milestones.forEach((m, index) => {
    const next = config.milestones[index + 1];
    if (next === undefined) return;
    const [hours, keys] = followUpSpanHours(m, config.followUps);
    if (hours >= (next.day - m.day) * 24) {
      ctx.issues.push({ code: 'custom', input: config.followUps, path: ['followUps', keys[0]!], message: `${keys.join(' + ')} (${hours} h) must end before ${next.id} (${next.day - m.day} days after ${m.id})` });
    }
  });
}

/** The longest a milestone's follow-ups last, and the settings that make it up. */
function followUpSpanHours(m: MilestoneSettings, followUps: JourneyConfig['followUps']): [number, Array<keyof JourneyConfig['followUps']>] {
  if (m.id === NPS_SURVEY_MILESTONE) return [followUps.npsReminderHours + followUps.npsNoAnswerHours, ['npsReminderHours', 'npsNoAnswerHours']];
  if (m.id === NO_REPLY_FALLBACK_MILESTONE) return [followUps.day7NoReplyHours, ['day7NoReplyHours']];
  if (m.category === 'marketing') return [followUps.marketingStatusCheckHours, ['marketingStatusCheckHours']];
  return [0, []];
}

function isCalendarDate(text: string): boolean {
  const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  // 2000 is a leap year, so "02-29" is a valid every-year date (it applies in leap years).
  const [year, month, day] = [Number(match[1] ?? 2000), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The settings with every default: 7/30/60, 09:00–20:00, UTC, no quiet days, no holdout. */
export const DEFAULT_JOURNEY_CONFIG: JourneyConfig = journeyConfigSchema.parse({});

/** The settings of one milestone, if the journey has it. */
export function milestoneSettings(config: JourneyConfig, milestone: MilestoneId): MilestoneSettings | undefined {
  return config.milestones.find((m) => m.id === milestone);
}

/** Reads `JOURNEY_CONFIG`, set by the stack; a missing or invalid one is a wiring bug, so say which. */
export function journeyConfigFromEnv(env: NodeJS.ProcessEnv = process.env): JourneyConfig {
  const raw = requireEnv(ENV.journeyConfig, env);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`Environment variable ${ENV.journeyConfig} is not JSON: ${(error as Error).message}`);
  }
  const parsed = parseWith(journeyConfigSchema, json);
  if (!parsed.ok) throw new Error(`Environment variable ${ENV.journeyConfig} is not a valid journey config:\n${parsed.reason}`);
  return parsed.value;
}

import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/env';
import { DEFAULT_JOURNEY_CONFIG, journeyConfigFromEnv, journeyConfigSchema, milestoneSettings } from '#shared/journey/config';
import { DEFAULT_MILESTONES } from '#shared/journey/milestones';
import { parseWith } from '#shared/validation';

const problems = (input: unknown) => {
  const parsed = parseWith(journeyConfigSchema, input);
  if (parsed.ok) throw new Error('expected the config to be refused');
  return parsed.reason;
};

describe('journeyConfigSchema', () => {
  it('defaults to 7/30/60, 09:00–20:00, UTC, no quiet days, no holdout, 5-day attribution, 60-day repurchase window, and the follow-ups on', () => {
    expect(DEFAULT_JOURNEY_CONFIG).toEqual({
      milestones: DEFAULT_MILESTONES.map(({ id, day, category }) => ({ id, day, category })),
      sendWindow: { start: '09:00', end: '20:00' },
      defaultTimeZone: 'UTC',
      quietDays: {},
      holdoutShare: 0,
      attributionWindowDays: 5,
      repurchaseWindowDays: 60,
      followUps: { day7NoReplyHours: 72, npsReminderHours: 48, npsNoAnswerHours: 48, marketingStatusCheckHours: 24, unconfirmedCheckHours: 6 },
    });
    expect(journeyConfigSchema.parse(undefined)).toEqual(DEFAULT_JOURNEY_CONFIG);
  });

  it('takes a full config, fills each milestone’s category from the catalogue and each quiet-day list', () => {
    const config = journeyConfigSchema.parse({
      milestones: [{ id: 'day7', day: 5, variants: { A: 1, B: 3 } }, { id: 'day60', day: 75, category: 'marketing' }],
      sendWindow: { start: '10:00', end: '24:00' },
      defaultTimeZone: 'America/Argentina/Buenos_Aires',
      quietDays: { '*': { weekdays: ['sunday'] }, AR: { dates: ['2026-05-25', '12-25', '02-29'] } },
      holdoutShare: 0.05,
    });
    expect(config.milestones).toEqual([
      { id: 'day7', day: 5, category: 'utility', variants: { A: 1, B: 3 } },
      { id: 'day60', day: 75, category: 'marketing' },
    ]);
    expect(config.quietDays).toEqual({ '*': { weekdays: ['sunday'], dates: [] }, AR: { weekdays: [], dates: ['2026-05-25', '12-25', '02-29'] } });
    expect(milestoneSettings(config, 'day60')?.day).toBe(75);
    expect(milestoneSettings(config, 'day30')).toBeUndefined();
  });

  it('parses its own output to the same value (the stack serializes it, the functions parse it again)', () => {
    const config = journeyConfigSchema.parse({ milestones: [{ id: 'day30', day: 20 }], quietDays: { ES: { weekdays: ['sunday'] } }, holdoutShare: 0.1 });
    expect(journeyConfigSchema.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it.each([
    [{ holdoutShare: 5 }, 'holdoutShare', 'fraction below 1'],
    [{ holdoutShare: -0.1 }, 'holdoutShare', '0 or more'],
    [{ attributionWindowDays: 0 }, 'attributionWindowDays', 'more than 0'],
    [{ attributionWindowDays: 31 }, 'attributionWindowDays', 'at most 30'],
    [{ repurchaseWindowDays: 45.5 }, 'repurchaseWindowDays', 'whole number'],
    [{ repurchaseWindowDays: 91 }, 'repurchaseWindowDays', 'at most 90'],
    [{ sendWindow: { start: '9:00', end: '20:00' } }, 'sendWindow.start', 'HH:MM'],
    [{ sendWindow: { start: '09:00', end: '24:30' } }, 'sendWindow.end', 'HH:MM'],
    [{ sendWindow: { start: '20:00', end: '09:00' } }, 'sendWindow', 'open before it closes'],
    [{ defaultTimeZone: 'Mars/Olympus' }, 'defaultTimeZone', 'IANA'],
    [{ quietDays: { AR: { weekdays: ['funday'] } } }, 'quietDays.AR.weekdays[0]', 'sunday'],
    [{ quietDays: { AR: { weekdays: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] } } }, 'quietDays.AR.weekdays', 'at least one weekday'],
    [{ quietDays: { AR: { dates: ['2026-02-30'] } } }, 'quietDays.AR.dates[0]', 'YYYY-MM-DD'],
    [{ quietDays: { AR: { dates: ['25/12'] } } }, 'quietDays.AR.dates[0]', 'MM-DD'],
    [{ quietDays: { AR: { holidays: [] } } }, 'quietDays.AR', 'holidays'],
    [{ quietDays: { ar: {} } }, 'quietDays', ''],
    [{ milestones: [] }, 'milestones', 'at least one milestone'],
    [{ followUps: { npsReminderHours: -1 } }, 'followUps.npsReminderHours', '0 (off) or more'],
    [{ followUps: { day7NoReplyHours: 1_000 } }, 'followUps.day7NoReplyHours', 'at most 720'],
    [{ followUps: { reminderHours: 12 } }, 'followUps', 'reminderHours'],
    [{ followUps: { day7NoReplyHours: 23 * 24 } }, 'followUps.day7NoReplyHours', 'must end before day30'],
    [{ followUps: { npsReminderHours: 400, npsNoAnswerHours: 320 } }, 'followUps.npsReminderHours', 'npsReminderHours + npsNoAnswerHours (720 h) must end before day60'],
    [{ milestones: [{ id: 'day90', day: 90 }] }, 'milestones[0].id', 'day7, day30, day60'],
    [{ milestones: [{ id: 'day7', day: 0 }] }, 'milestones[0].day', 'at least 1'],
    [{ milestones: [{ id: 'day7', day: 7.5 }] }, 'milestones[0].day', 'whole number'],
    [{ milestones: [{ id: 'day60', day: 400 }] }, 'milestones[0].day', 'a year'],
    [{ milestones: [{ id: 'day30', day: 30 }, { id: 'day7', day: 7 }] }, 'milestones[1].day', 'must come after day30'],
    [{ milestones: [{ id: 'day7', day: 7 }, { id: 'day7', day: 8 }] }, 'milestones[1].id', 'repeats milestone day7'],
    [{ milestones: [{ id: 'day7', day: 7, category: 'marketing' }] }, 'milestones[0].category', 'must be utility'],
    [{ milestones: [{ id: 'day7', day: 7, variants: { C: 1 } }] }, 'milestones[0].variants', 'no variant "C"'],
    [{ milestones: [{ id: 'day7', day: 7, variants: { A: 0, B: 0 } }] }, 'milestones[0].variants', 'weight above 0'],
    [{ milestones: [{ id: 'day7', day: 7, variants: { A: -1 } }] }, 'milestones[0].variants.A', '0 or more'],
    [{ sendWindows: {} }, '', 'sendWindows'],
  ])('refuses %j, naming %s', (input, path, hint) => {
    const reason = problems(input);
    if (path !== '') expect(reason).toContain(`at ${path}`);
    expect(reason).toContain(hint);
  });
});

describe('journeyConfigFromEnv', () => {
  it('reads JOURNEY_CONFIG', () => {
    const config = journeyConfigFromEnv({ [ENV.journeyConfig]: JSON.stringify({ holdoutShare: 0.05 }) });
    expect(config.holdoutShare).toBe(0.05);
    expect(config.milestones).toEqual(DEFAULT_JOURNEY_CONFIG.milestones);
  });

  it('names the variable when it is missing, not JSON, or invalid', () => {
    expect(() => journeyConfigFromEnv({})).toThrow(ENV.journeyConfig);
    expect(() => journeyConfigFromEnv({ [ENV.journeyConfig]: '{holdoutShare:' })).toThrow(`${ENV.journeyConfig} is not JSON`);
    expect(() => journeyConfigFromEnv({ [ENV.journeyConfig]: '{"holdoutShare":2}' })).toThrow(/JOURNEY_CONFIG is not a valid journey config[\s\S]*holdoutShare/);
  });
});

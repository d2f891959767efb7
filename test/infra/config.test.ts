import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_JOURNEY_CONFIG, type JourneyConfig } from '#shared/journey/config';
import { ALARM_DEFAULTS } from '#shared/kpi/targets';
import { CONFIG_CONTEXT_KEY, parseConfig } from '../../infra/config';
import { PosventaFunction } from '../../infra/constructs/function';
import { Journey } from '../../infra/constructs/journey';
import { PosventaQueue } from '../../infra/constructs/queue';
import { readCdkJsonContext } from '../../infra/synth';

describe('parseConfig (the "posventa" context in cdk.json)', () => {
  it('fills every default from an empty object', () => {
    expect(parseConfig({})).toEqual({
      eventBusName: 'posventa',
      purchaseEventSource: 'posventa.store',
      helpdeskEventSource: 'posventa.helpdesk',
      journeyTriggerDetailTypes: ['Purchase Completed'],
      graphApiVersion: 'v23.0',
      whatsappPhoneNumberId: undefined,
      reportingTimeZone: 'UTC',
      logRetentionDays: 30,
      eventArchiveRetentionDays: 365,
      verifyTokenParameterName: '/posventa/meta/verify-token',
      unquotedReplyMaxAgeDays: 7,
      httpApiThrottle: { rateLimit: 1000, burstLimit: 2000 },
      alarms: ALARM_DEFAULTS,
      journey: DEFAULT_JOURNEY_CONFIG,
    });
    expect(parseConfig(undefined).eventBusName).toBe('posventa');
  });

  it("accepts cdk.json's own settings", () => {
    expect(() => parseConfig(readCdkJsonContext()[CONFIG_CONTEXT_KEY])).not.toThrow();
  });

  it.each([
    [{ graphApiVersion: '23' }, 'posventa.graphApiVersion', 'v23.0'],
    [{ reportingTimeZone: 'Mars/Olympus' }, 'posventa.reportingTimeZone', 'IANA'],
    [{ purchaseEventSource: 'posventa' }, 'posventa.purchaseEventSource', 'must differ'],
    [{ helpdeskEventSource: 'posventa' }, 'posventa.helpdeskEventSource', 'must differ'],
    [{ journeyTriggerDetailTypes: [] }, 'posventa.journeyTriggerDetailTypes', 'at least one'],
    [{ logRetentionDays: 31 }, 'posventa.logRetentionDays', 'one of'],
    [{ whatsappPhoneNumberId: '+54 9 11' }, 'posventa.whatsappPhoneNumberId', 'numeric'],
    [{ eventBusName: 'default' }, 'posventa.eventBusName', 'own bus'],
    [{ alarmEmail: 'ops' }, 'posventa.alarmEmail', 'e-mail'],
    [{ unquotedReplyMaxAgeDays: 0 }, 'posventa.unquotedReplyMaxAgeDays', 'above 0'],
    [{ httpApiThrottle: { rateLimit: 0 } }, 'posventa.httpApiThrottle.rateLimit', 'above 0'],
    [{ httpApiThrottle: { burst: 10 } }, 'posventa.httpApiThrottle.burst', 'not a Posventa setting'],
    [{ graphApiVersion: 23 }, 'posventa.graphApiVersion', 'string'],
    [{ alarms: { blockRate: 3 } }, 'posventa.alarms.blockRate', 'fraction up to 1'],
    [{ alarms: { failureRate: 0 } }, 'posventa.alarms.failureRate', 'fraction above 0'],
    [{ alarms: { minimumSent: 0 } }, 'posventa.alarms.minimumSent', 'at least 1'],
    [{ alarms: { minimumNpsAnswers: 2.5 } }, 'posventa.alarms.minimumNpsAnswers', 'whole number'],
    [{ alarms: { npsFloor: 150 } }, 'posventa.alarms.npsFloor', '-100 to 100'],
    [{ alarms: { templateQuality: 'GREEN' } }, 'posventa.alarms.templateQuality', '"YELLOW" or "RED"'],
    [{ alarms: { blockrate: 0.01 } }, 'posventa.alarms.blockrate', 'not a Posventa setting'],
    [{ eventBusname: 'typo' }, 'posventa.eventBusname', 'not a Posventa setting'],
    [{ journey: { holdoutShare: 5 } }, 'posventa.journey.holdoutShare', 'fraction below 1'],
    [{ journey: { sendWindow: { start: '21:00', end: '08:00' } } }, 'posventa.journey.sendWindow', 'open before it closes'],
    [{ journey: { sendWindow: { strat: '09:00' } } }, 'posventa.journey.sendWindow.strat', 'not a Posventa setting'],
    [{ journey: { quietDays: { AR: { weekdays: ['domingo'] } } } }, 'posventa.journey.quietDays.AR.weekdays.0', 'sunday'],
    [{ journey: { milestones: [{ id: 'day7', day: 7, variants: { Z: 1 } }] } }, 'posventa.journey.milestones.0.variants', 'no variant "Z"'],
  ])('rejects %j naming the key', (input, key, hint) => {
    expect(() => parseConfig(input)).toThrow(key);
    expect(() => parseConfig(input)).toThrow(hint);
  });

  it('takes some alarm thresholds and keeps the defaults of the others', () => {
    expect(parseConfig({ alarms: { npsFloor: 20, templateQuality: 'RED' } }).alarms).toEqual({ ...ALARM_DEFAULTS, npsFloor: 20, templateQuality: 'RED' });
  });

  it('lists every problem at once', () => {
    expect(() => parseConfig({ graphApiVersion: 'x', logRetentionDays: 2 })).toThrow(/graphApiVersion[\s\S]*logRetentionDays/);
  });

  it('keeps the journey settings cdk.json gives, with the catalogue’s categories filled in', () => {
    const { journey } = parseConfig(readCdkJsonContext()[CONFIG_CONTEXT_KEY]);
    expect(journey.milestones.map((m) => [m.id, m.day, m.category])).toEqual([
      ['day7', 7, 'utility'],
      ['day30', 30, 'utility'],
      ['day60', 60, 'marketing'],
    ]);
    expect(journey.sendWindow).toEqual({ start: '09:00', end: '20:00' });
    expect(journey.holdoutShare).toBe(0);
  });

  it('reads `cdk synth -c posventa=<json>` and treats an empty phone number id as unset', () => {
    const config = parseConfig('{"graphApiVersion":"v24.0","whatsappPhoneNumberId":""}');
    expect(config.graphApiVersion).toBe('v24.0');
    expect(config.whatsappPhoneNumberId).toBeUndefined();
  });
});

describe('construct props validation', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'posventa-props-')) });
  afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));
  let stacks = 0;
  const stack = () => new Stack(app, `Test${stacks++}`);

  it('PosventaFunction names props.entry when it is not a functions/<name>/handler.ts', () => {
    expect(() => new PosventaFunction(stack(), 'Fn', { entry: '/abs/handler.ts', description: 'x' })).toThrow('props.entry');
    expect(() => new PosventaFunction(stack(), 'Fn', { entry: 'functions/nope/handler.ts', description: 'x' })).toThrow(
      'props.entry "functions/nope/handler.ts" does not exist',
    );
  });

  it('PosventaFunction names props.memorySize when out of range', () => {
    expect(() => new PosventaFunction(stack(), 'Fn', { entry: 'functions/webhook/handler.ts', description: 'x', memorySize: 64 })).toThrow(
      'props.memorySize',
    );
  });

  it('Journey names props.journeyConfig when it is too large for a Lambda environment', () => {
    const scope = stack();
    const tooManyHolidays: JourneyConfig = {
      ...DEFAULT_JOURNEY_CONFIG,
      quietDays: Object.fromEntries(['AR', 'BR', 'CL', 'CO', 'ES', 'MX', 'PE', 'UY'].map((c) => [c, { weekdays: [], dates: Array.from({ length: 30 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`) }])),
    };
    const props = {
      eventBus: new EventBus(scope, 'Bus'),
      purchaseEventSource: 'posventa.store',
      triggerDetailTypes: ['Purchase Completed'],
      journeysTable: new Table(scope, 'Journeys', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
      contactsTable: new Table(scope, 'Contacts', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
      templatesTable: new Table(scope, 'Templates', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
      graphApi: { version: 'v23.0', accessToken: new Secret(scope, 'Token') },
      journeyConfig: tooManyHolidays,
    };
    expect(() => new Journey(scope, 'Journey', props)).toThrow(/props\.journeyConfig \(posventa\.journey in cdk\.json\) is \d+ bytes/);
  });

  it('PosventaQueue needs a dead-letter queue or a reason it is one', () => {
    expect(() => new PosventaQueue(stack(), 'Q')).toThrow('props.deadLetterQueue');
  });
});

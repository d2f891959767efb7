import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_CONTEXT_KEY, parseConfig } from '../../infra/config';
import { PosventaFunction } from '../../infra/constructs/function';
import { PosventaQueue } from '../../infra/constructs/queue';
import { readCdkJsonContext } from '../../infra/synth';

describe('parseConfig (the "posventa" context in cdk.json)', () => {
  it('fills every default from an empty object', () => {
    expect(parseConfig({})).toEqual({
      eventBusName: 'posventa',
      purchaseEventSource: 'posventa.store',
      journeyTriggerDetailTypes: ['Purchase Completed'],
      graphApiVersion: 'v23.0',
      whatsappPhoneNumberId: undefined,
      reportingTimeZone: 'UTC',
      logRetentionDays: 30,
      eventArchiveRetentionDays: 365,
      verifyTokenParameterName: '/posventa/meta/verify-token',
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
    [{ journeyTriggerDetailTypes: [] }, 'posventa.journeyTriggerDetailTypes', 'at least one'],
    [{ logRetentionDays: 31 }, 'posventa.logRetentionDays', 'one of'],
    [{ whatsappPhoneNumberId: '+54 9 11' }, 'posventa.whatsappPhoneNumberId', 'numeric'],
    [{ eventBusName: 'default' }, 'posventa.eventBusName', 'own bus'],
    [{ alarmEmail: 'ops' }, 'posventa.alarmEmail', 'e-mail'],
    [{ graphApiVersion: 23 }, 'posventa.graphApiVersion', 'string'],
    [{ eventBusname: 'typo' }, 'posventa.eventBusname', 'not a Posventa setting'],
  ])('rejects %j naming the key', (input, key, hint) => {
    expect(() => parseConfig(input)).toThrow(key);
    expect(() => parseConfig(input)).toThrow(hint);
  });

  it('lists every problem at once', () => {
    expect(() => parseConfig({ graphApiVersion: 'x', logRetentionDays: 2 })).toThrow(/graphApiVersion[\s\S]*logRetentionDays/);
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

  it('PosventaQueue needs a dead-letter queue or a reason it is one', () => {
    expect(() => new PosventaQueue(stack(), 'Q')).toThrow('props.deadLetterQueue');
  });
});

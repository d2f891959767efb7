import { describe, expect, it } from 'vitest';
import { AWS_PRICES } from '../../../bench/aws-prices';
import { awsCostOf, perJourney, whatsappSpendUsd } from '../../../bench/cost-model';
import { whatsappPrice } from '#shared/kpi/whatsapp-prices';
import { createUsageMeter } from '../../../local/metering/usage';

describe('usage meter', () => {
  it('counts in the units AWS bills', () => {
    const meter = createUsageMeter();
    meter.lambdaInvoked('Webhook', 256, 10.2);
    meter.lambdaInvoked('Webhook', 256, 0.3);
    meter.eventsPut([100, 64 * 1024, 64 * 1024 + 1]);
    meter.apiRequest(0);
    meter.apiRequest(600 * 1024);
    meter.sqsSent(2_000);
    meter.sqsReceived(0);
    meter.sqsReceived(25);
    meter.sqsDeleted(25);
    meter.stateEntered();
    meter.dynamoDbRequest('PutItem', 0, 2);
    expect(meter.usage).toEqual({
      lambda: { Webhook: { invocations: 2, billedMs: 12, memoryMb: 256 } },
      stateTransitions: 1,
      dynamodb: { requests: { PutItem: 1 }, readUnits: 0, writeUnits: 2 },
      eventBridgeEvents: 4,
      apiRequests: 3,
      sqs: { sent: 1, receiveCalls: 3, deletedMessages: 25 },
    });
  });
});

describe('cost model', () => {
  it('prices counted usage at the list prices, line by line', () => {
    const meter = createUsageMeter();
    for (let i = 0; i < 1000; i += 1) meter.lambdaInvoked('SendStep', 512, 100);
    for (let i = 0; i < 40_000; i += 1) meter.stateEntered();
    meter.dynamoDbRequest('TransactWriteItems', 0, 1_000_000);
    meter.dynamoDbRequest('GetItem', 2_000_000, 0);
    const cost = awsCostOf(meter.usage);
    const line = (service: string) => cost.lines.find((l) => l.service === service)!;
    expect(line('Step Functions').usd).toBeCloseTo(1, 10); // 40,000 × $0.025 / 1,000
    expect(line('Lambda duration').quantity).toBeCloseTo(50, 10); // 1,000 × 0.5 GB × 0.1 s
    expect(line('Lambda duration').usd).toBeCloseTo(50 * AWS_PRICES.lambdaArmGbSecond.usd, 12);
    expect(line('Lambda requests').usd).toBeCloseTo(0.0002, 12);
    expect(line('DynamoDB writes').usd).toBeCloseTo(0.625, 10);
    expect(line('DynamoDB reads').usd).toBeCloseTo(0.25, 10);
    expect(cost.usd).toBeCloseTo(1 + 0.0002 + 50 * 0.0000133334 + 0.875, 8);
    expect(perJourney(meter.usage, 1000)).toMatchObject({ stateTransitions: 40, lambdaInvocations: 1, 'lambda.SendStep': 1 });
  });

  it('prices WhatsApp templates with the price table, and says what it could not price', () => {
    const at = new Date('2026-06-01T12:00:00Z');
    const billed = [
      { country: 'AR', category: 'utility' as const, at },
      { country: 'AR', category: 'marketing' as const, at },
      { country: 'BR', category: 'utility' as const, at },
    ];
    const expected = billed.reduce((sum, b) => sum + whatsappPrice(b.country, b.category, b.at)!, 0);
    expect(expected).toBeGreaterThan(0);
    expect(whatsappSpendUsd(billed).usd).toBeCloseTo(expected, 10);
    expect(whatsappSpendUsd([{ country: 'AR', category: 'utility', at: new Date('2020-01-01T00:00:00Z') }])).toEqual({ usd: 0, unpriced: 1 });
  });
});

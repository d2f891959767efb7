import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../local/eventbridge/put-events';
import { createEventBridgeService, type EventBridgeService } from '../../../local/eventbridge/service';

// The local EventBridge on a real HTTP port, driven by the real SDK v3 client, as the
// handlers will drive it through AWS_ENDPOINT_URL_EVENTBRIDGE.

const BUS = 'posventa';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const NOW = new Date('2026-01-01T00:00:00.789Z');

const received: Record<string, BusEvent[]> = { startJourney: [], domainEvents: [], defaultBus: [], flaky: [] };
const deadLettered: Array<{ ruleName: string; targetId: string; event: BusEvent; error: unknown }> = [];
let flakyFailuresLeft = 0;
let releaseBlocked: (() => void) | undefined;

const collect = (name: string) => async (event: BusEvent) => {
  received[name]!.push(event);
};

let service: EventBridgeService;
let server: Server;
let client: EventBridgeClient;

beforeAll(async () => {
  service = createEventBridgeService({
    buses: [BUS],
    clock: { now: () => NOW },
    region: REGION,
    accountId: ACCOUNT,
    log: () => {},
    retry: { attempts: 3, baseDelayMs: 5 },
    onDeliveryFailure: (ruleName, targetId, event, error) => deadLettered.push({ ruleName, targetId, event, error }),
    rules: [
      {
        name: 'StartJourney',
        eventBusName: BUS,
        eventPattern: { source: ['posventa.store'], 'detail-type': ['Purchase Completed'] },
        targets: [{ id: 'StartJourneyFunction', deliver: collect('startJourney') }],
      },
      {
        name: 'DomainEventsToKpi',
        eventBusName: BUS,
        eventPattern: { source: ['posventa'] },
        targets: [{ id: 'KpiQueue', deliver: collect('domainEvents') }],
      },
      {
        name: 'SamePatternOnDefaultBus',
        eventBusName: 'default',
        eventPattern: { source: ['posventa.store'], 'detail-type': ['Purchase Completed'] },
        targets: [{ id: 'Other', deliver: collect('defaultBus') }],
      },
      {
        name: 'Flaky',
        eventBusName: BUS,
        eventPattern: { source: ['test.flaky'] },
        targets: [
          {
            id: 'FlakyTarget',
            deliver: async (event) => {
              if (flakyFailuresLeft-- > 0) throw new Error('target unavailable');
              received['flaky']!.push(event);
            },
          },
        ],
      },
      {
        name: 'AlwaysFails',
        eventBusName: BUS,
        eventPattern: { source: ['test.broken'] },
        targets: [
          {
            id: 'BrokenTarget',
            deliver: async () => {
              throw new Error('always down');
            },
          },
        ],
      },
      {
        name: 'Blocked',
        eventBusName: BUS,
        eventPattern: { source: ['test.blocked'] },
        targets: [{ id: 'SlowTarget', deliver: () => new Promise<void>((resolve) => (releaseBlocked = resolve)) }],
      },
    ],
  });
  server = createServer(service.listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await service?.close();
  await new Promise((resolve) => server?.close(resolve));
});

afterEach(async () => {
  await service.idle();
  for (const list of Object.values(received)) list.splice(0);
  deadLettered.splice(0);
});

const purchaseDetail = {
  orderId: 'order-1001',
  purchasedAt: '2025-12-31T22:00:00Z',
  customer: { id: 'c-1', phone: '+5491100000000', name: 'Ana', locale: 'es-AR', timezone: 'America/Argentina/Buenos_Aires' },
  items: [{ sku: 'SKU-1', name: 'Cafetera' }],
};

const purchase = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  EventBusName: BUS,
  Source: 'posventa.store',
  DetailType: 'Purchase Completed',
  Detail: JSON.stringify(purchaseDetail),
  ...overrides,
});

describe('local EventBridge over HTTP with the real SDK client', () => {
  it('delivers a Purchase Completed event, in the EventBridge envelope, only to the matching rule', async () => {
    const response = await client.send(new PutEventsCommand({ Entries: [purchase()] }));
    expect(response.FailedEntryCount).toBe(0);
    const eventId = response.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    await service.idle();
    expect(received['startJourney']).toEqual([
      {
        version: '0',
        id: eventId,
        'detail-type': 'Purchase Completed',
        source: 'posventa.store',
        account: ACCOUNT,
        time: '2026-01-01T00:00:00Z',
        region: REGION,
        resources: [],
        detail: purchaseDetail,
      },
    ]);
    expect(received['domainEvents']).toEqual([]);
    expect(received['defaultBus']).toEqual([]);
  });

  it('routes by bus: the default bus when no name is given, a bus ARN like its name', async () => {
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;
    const response = await client.send(
      new PutEventsCommand({ Entries: [purchase({ EventBusName: undefined }), purchase({ EventBusName: arn })] }),
    );
    expect(response.FailedEntryCount).toBe(0);
    await service.idle();
    expect(received['defaultBus']).toHaveLength(1);
    expect(received['startJourney']).toHaveLength(1);
  });

  it('keeps the entry Time, in whole seconds, and the Resources', async () => {
    await client.send(
      new PutEventsCommand({
        Entries: [purchase({ Time: new Date('2026-02-03T04:05:06.789Z'), Resources: ['arn:aws:ecommerce:order/1001'] })],
      }),
    );
    await service.idle();
    expect(received['startJourney']?.[0]).toMatchObject({ time: '2026-02-03T04:05:06Z', resources: ['arn:aws:ecommerce:order/1001'] });
  });

  it('reports failed entries one by one, in order, and delivers only the good ones', async () => {
    const response = await client.send(
      new PutEventsCommand({
        Entries: [
          purchase({ Detail: JSON.stringify({ ...purchaseDetail, orderId: 'good-1' }) }),
          purchase({ Detail: '{not json' }),
          purchase({ Detail: '[1, 2]' }),
          purchase({ DetailType: undefined }),
          purchase({ Source: undefined }),
          purchase({ Detail: undefined }),
          purchase({ EventBusName: 'no-such-bus' }),
          purchase({ EventBusName: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/${BUS}` }),
          purchase({ Detail: JSON.stringify({ ...purchaseDetail, orderId: 'good-2' }) }),
        ],
      }),
    );

    expect(response.FailedEntryCount).toBe(7);
    expect(response.Entries?.map((entry) => entry.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'ok',
    ]);
    expect(response.Entries?.[3]?.ErrorMessage).toMatch(/DetailType is a required argument/);
    expect(response.Entries?.[6]?.ErrorMessage).toMatch(/no-such-bus/);

    await service.idle();
    expect(received['startJourney']?.map((event) => event.detail['orderId'])).toEqual(['good-1', 'good-2']);
  });

  it('rejects more than 10 entries with a ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => purchase());
    const error = await client.send(new PutEventsCommand({ Entries: entries })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(/less than or equal to 10/);
    await service.idle();
    expect(received['startJourney']).toEqual([]);
  });

  it('rejects an empty list and a request over 256 KB with a ValidationException', async () => {
    await expect(client.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({ name: 'ValidationException' });
    const big = JSON.stringify({ padding: 'x'.repeat(130 * 1024) });
    await expect(client.send(new PutEventsCommand({ Entries: [purchase({ Detail: big }), purchase({ Detail: big })] }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    const justUnder = await client.send(new PutEventsCommand({ Entries: [purchase({ Detail: big })] }));
    expect(justUnder.FailedEntryCount).toBe(0);
  });

  it('answers operations it does not implement with UnknownOperationException', async () => {
    await expect(client.send(new ListRulesCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers the PutEvents call before the targets finish', async () => {
    const response = await client.send(new PutEventsCommand({ Entries: [purchase({ Source: 'test.blocked' })] }));
    expect(response.FailedEntryCount).toBe(0);
    let idle = false;
    const idlePromise = service.idle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);
    expect(releaseBlocked).toBeTypeOf('function');
    releaseBlocked?.();
    await idlePromise;
    expect(idle).toBe(true);
  });

  it('retries a failing target with backoff, then dead-letters the event', async () => {
    flakyFailuresLeft = 2;
    await client.send(new PutEventsCommand({ Entries: [purchase({ Source: 'test.flaky' }), purchase({ Source: 'test.broken' })] }));
    await service.idle();

    expect(received['flaky']).toHaveLength(1);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]).toMatchObject({ ruleName: 'AlwaysFails', targetId: 'BrokenTarget', event: { source: 'test.broken' } });
    expect((deadLettered[0]?.error as Error).message).toBe('always down');
  });
});

describe('local EventBridge over raw HTTP', () => {
  it('speaks the AWS JSON error format', async () => {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutRule' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const malformed = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: '{"Entries": [',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
  });
});

describe('createEventBridgeService: wiring mistakes fail at start-up', () => {
  const base = { buses: [BUS], clock: { now: () => NOW }, region: REGION, accountId: ACCOUNT, log: () => {} };

  it('rejects a rule on an unknown bus', () => {
    expect(() =>
      createEventBridgeService({ ...base, rules: [{ name: 'R', eventBusName: 'nope', eventPattern: { source: ['x'] }, targets: [] }] }),
    ).toThrow(/rule "R" is on bus "nope"/);
  });

  it('rejects an invalid pattern, naming the rule', () => {
    expect(() =>
      createEventBridgeService({ ...base, rules: [{ name: 'R', eventBusName: BUS, eventPattern: { source: 'x' }, targets: [] }] }),
    ).toThrow(/rule "R".*Event pattern is not valid at source/);
  });
});

describe('putEvents without HTTP', () => {
  it('applies the same checks and delivers the same way', async () => {
    const result = service.putEvents([purchase(), purchase({ Detail: 'nope' })]);
    expect(result).toMatchObject({ ok: true, response: { FailedEntryCount: 1 } });
    expect(service.putEvents([])).toMatchObject({ ok: false, error: { type: 'ValidationException' } });
    await service.idle();
    expect(received['startJourney']).toHaveLength(1);
  });
});

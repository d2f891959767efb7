import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbProxy, type DynamoDbProxy } from '../../../local/metering/dynamodb-proxy';
import { createUsageMeter, type UsageMeter } from '../../../local/metering/usage';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';

/**
 * The counting proxy in front of the real DynamoDB Local: the units it records are what
 * DynamoDB bills, and the client behind it gets the answers it would get without it.
 */
let dynamo: LocalDynamoDb;
let proxy: DynamoDbProxy;
let meter: UsageMeter;
let client: DynamoDBClient;
let table: string;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  dynamo = await startLocalDynamoDb();
  table = await dynamo.createTable('metering');
  meter = createUsageMeter();
  proxy = await startDynamoDbProxy(dynamo.endpoint, meter);
  client = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await dynamo?.stop();
});

const delta = async (call: () => Promise<unknown>) => {
  const before = { ...meter.usage.dynamodb, requests: { ...meter.usage.dynamodb.requests } };
  await call().catch(() => undefined);
  const after = meter.usage.dynamodb;
  return { read: after.readUnits - before.readUnits, write: after.writeUnits - before.writeUnits };
};

describe('DynamoDB metering proxy', () => {
  it('counts write units by item size, doubles transactions, and charges refused conditional writes', async () => {
    const item = (sk: string, bytes: number) => ({ pk: { S: 'p' }, sk: { S: sk }, v: { S: 'x'.repeat(bytes) } });
    expect(await delta(() => client.send(new PutItemCommand({ TableName: table, Item: item('small', 100) })))).toEqual({ read: 0, write: 1 });
    expect(await delta(() => client.send(new PutItemCommand({ TableName: table, Item: item('big', 1500) })))).toEqual({ read: 0, write: 2 });
    expect(
      await delta(() =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: table, Item: item('t1', 10) } }, { Update: { TableName: table, Key: { pk: { S: 'p' }, sk: { S: 't2' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }],
          }),
        ),
      ),
    ).toEqual({ read: 0, write: 4 });
    const refused = await delta(() => client.send(new PutItemCommand({ TableName: table, Item: item('small', 10), ConditionExpression: 'attribute_not_exists(pk)' })));
    expect(refused).toEqual({ read: 0, write: 1 });
    expect(meter.usage.dynamodb.requests).toMatchObject({ PutItem: 3, TransactWriteItems: 1 });
  });

  it('counts read units (eventually consistent half, strongly consistent whole) and leaves the answers as they were', async () => {
    const key = { pk: { S: 'p' }, sk: { S: 'small' } };
    expect(await delta(() => client.send(new GetItemCommand({ TableName: table, Key: key })))).toEqual({ read: 0.5, write: 0 });
    expect(await delta(() => client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true })))).toEqual({ read: 1, write: 0 });
    const answer = await client.send(new GetItemCommand({ TableName: table, Key: key }));
    expect(answer.Item?.v?.S).toHaveLength(100);
    const counted = await delta(() => client.send(new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'SET w = :w', ExpressionAttributeValues: { ':w': { S: 'y' } } })));
    expect(counted.write).toBe(1);
    const query = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
    expect(query.Count).toBe(4);
  });
});

import { DynamoDBClient, QueryCommand, type AttributeValue, type QueryCommandInput } from '@aws-sdk/client-dynamodb';

/** One client per container; AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local. */
export const dynamodb = new DynamoDBClient({});

type Item = Record<string, AttributeValue>;

/**
 * Every item of one partition (`pk`), or of its sort keys that start with `skPrefix`, page after
 * page. `consistent` reads what the last write left (the stores that decide on what they read).
 */
export function queryPartition(tableName: string, pk: string, options: { skPrefix?: string; consistent?: boolean } = {}): Promise<Item[]> {
  const { skPrefix, consistent = false } = options;
  return queryAll({
    TableName: tableName,
    KeyConditionExpression: skPrefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': { S: pk }, ...(skPrefix === undefined ? {} : { ':prefix': { S: skPrefix } }) },
    ...(consistent ? { ConsistentRead: true } : {}),
  });
}

/** Every item a Query matches, page after page (DynamoDB stops a page at 1 MB). */
async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await dynamodb.send(new QueryCommand({ ...input, ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

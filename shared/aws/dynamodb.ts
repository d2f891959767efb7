import { DynamoDBClient, QueryCommand, type AttributeValue, type QueryCommandInput } from '@aws-sdk/client-dynamodb';

/** One client per container; AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local. */
export const dynamodb = new DynamoDBClient({});

/** Every item a Query matches, page after page (DynamoDB stops a page at 1 MB). */
export async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new QueryCommand({ ...input, ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

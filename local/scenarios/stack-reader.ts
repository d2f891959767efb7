import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { ConsentEvidence, ConsentState } from '#shared/consent/ledger';
import type { StoredMessageRecord } from '#shared/aws/journey-store';
import type { MessageSlot } from '#shared/journey/journey-store';
import type { NpsAnswer } from '#shared/journey/nps-answers';
import type { LocalStackInfo } from '../stack';

/**
 * What the running system recorded, read the way an operator would read it in AWS: DynamoDB
 * items through the same adapters the functions write them with (shared/aws/), executions
 * through DescribeExecution and GetExecutionHistory, totals through GET /kpis.
 */
export interface StackReader {
  messageRecord(orderId: string, slot: MessageSlot): Promise<StoredMessageRecord | undefined>;
  consentState(phone: string): Promise<ConsentState | undefined>;
  consentEvidence(phone: string): Promise<ConsentEvidence[]>;
  marketingPause(phone: string): Promise<{ reason: string; pausedAt: string } | undefined>;
  npsAnswer(orderId: string): Promise<NpsAnswer | undefined>;
  /** The contact's last delivery of a journey message at or after `from`. */
  lastDelivered(phone: string, from: Date): Promise<{ orderId: string; milestone: string; deliveredAt: string } | undefined>;
  /** The order's journey execution (named after the order), or undefined before it exists. */
  execution(orderId: string): Promise<ExecutionState | undefined>;
  /** Every event of the order's execution so far, oldest first. */
  history(orderId: string): Promise<HistoryEvent[]>;
  /** `totals` of GET /kpis (all time). */
  kpiTotals(): Promise<Record<string, number>>;
  close(): void;
}

export interface ExecutionState {
  status: string;
  stopDate?: Date;
  error?: string;
  cause?: string;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The adapters in shared/aws/ create their SDK client when first imported and take the
 * endpoint from the environment, as in Lambda; so the environment is set first and they are
 * imported after.
 */
export async function connectToStack(info: LocalStackInfo): Promise<StackReader> {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = info.dynamoDbEndpoint;
  process.env.AWS_REGION = info.region;
  process.env.AWS_ACCESS_KEY_ID ??= CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= CREDENTIALS.secretAccessKey;
  const [{ readMessageRecord, dynamoDeliveryLog }, { dynamoConsentStore }, { dynamoMarketingPauses }, { dynamoNpsAnswers }] = await Promise.all([
    import('#shared/aws/journey-store'),
    import('#shared/aws/consent-store'),
    import('#shared/aws/marketing-pause'),
    import('#shared/aws/message-facts'),
  ]);
  const consent = dynamoConsentStore(info.contactsTableName);
  const pauses = dynamoMarketingPauses(info.contactsTableName);
  const nps = dynamoNpsAnswers(info.journeysTableName);
  const deliveries = dynamoDeliveryLog(info.journeysTableName);
  const stepFunctions = new SFNClient({ endpoint: info.stepFunctionsEndpoint, region: info.region, credentials: CREDENTIALS });
  const executionArn = (orderId: string) => `${info.stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;

  return {
    messageRecord: (orderId, slot) => readMessageRecord(info.journeysTableName, orderId, slot),
    consentState: (phone) => consent.readState(phone),
    consentEvidence: (phone) => consent.listEvidence(phone),
    marketingPause: (phone) => pauses.marketingPause(phone),
    npsAnswer: (orderId) => nps.npsAnswerOf(orderId),
    lastDelivered: (phone, from) => deliveries.lastDeliveredTo(phone, from.toISOString(), '9999-12-31T23:59:59.999Z'),
    async execution(orderId) {
      try {
        const described = await stepFunctions.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
        return {
          status: described.status ?? 'UNKNOWN',
          ...(described.stopDate === undefined ? {} : { stopDate: described.stopDate }),
          ...(described.error === undefined ? {} : { error: described.error }),
          ...(described.cause === undefined ? {} : { cause: described.cause }),
        };
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return undefined;
        throw error;
      }
    },
    async history(orderId) {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await stepFunctions.send(new GetExecutionHistoryCommand({ executionArn: executionArn(orderId), maxResults: 1000, nextToken }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return events;
    },
    async kpiTotals() {
      const response = await fetch(info.kpiUrl);
      if (!response.ok) throw new Error(`GET /kpis answered ${response.status}: ${await response.text()}`);
      const report = (await response.json()) as { totals: Record<string, number> };
      return report.totals;
    },
    close() {
      // The adapters' DynamoDB client is module-wide, as in a Lambda container: it stays.
      stepFunctions.destroy();
    },
  };
}

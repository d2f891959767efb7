import { MICRO_USD_PER_USD, whatsappPriceMicroUsd } from '#shared/kpi/whatsapp-prices';
import type { Usage } from '../local/metering/usage';
import { AWS_PRICES } from './aws-prices';

/**
 * Prices what a simulated run used (counted by the local stack's stand-ins, local/metering/)
 * at AWS list prices (aws-prices.ts), and the WhatsApp template spend of the same journeys at
 * the price table the KPIs use (its rates are examples: read its header).
 */
export interface CostLine {
  service: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface AwsCost {
  lines: CostLine[];
  usd: number;
  /** Lambda GB-seconds: configured memory × measured handler durations. */
  lambdaGbSeconds: number;
}

export function awsCostOf(usage: Usage): AwsCost {
  const functions = Object.values(usage.lambda);
  const invocations = functions.reduce((n, f) => n + f.invocations, 0);
  const gbSeconds = functions.reduce((n, f) => n + (f.memoryMb / 1024) * (f.billedMs / 1000), 0);
  const dynamoRequests = Object.values(usage.dynamodb.requests).reduce((n, c) => n + c, 0);
  // Lambda's SQS poller deletes what a batch processed with DeleteMessageBatch (≤ 10 per call).
  const sqsRequests = usage.sqs.sent + usage.sqs.receiveCalls + Math.ceil(usage.sqs.deletedMessages / 10);
  const lines: CostLine[] = [
    { service: 'Step Functions', quantity: usage.stateTransitions, unit: 'state transitions', usd: usage.stateTransitions * AWS_PRICES.stepFunctionsTransition.usd },
    { service: 'Lambda requests', quantity: invocations, unit: 'invocations', usd: invocations * AWS_PRICES.lambdaRequest.usd },
    { service: 'Lambda duration', quantity: gbSeconds, unit: 'GB-s (arm64)', usd: gbSeconds * AWS_PRICES.lambdaArmGbSecond.usd },
    { service: 'DynamoDB writes', quantity: usage.dynamodb.writeUnits, unit: `WRU (${dynamoRequests} requests in all)`, usd: usage.dynamodb.writeUnits * AWS_PRICES.dynamoDbWriteRequestUnit.usd },
    { service: 'DynamoDB reads', quantity: usage.dynamodb.readUnits, unit: 'RRU', usd: usage.dynamodb.readUnits * AWS_PRICES.dynamoDbReadRequestUnit.usd },
    { service: 'EventBridge', quantity: usage.eventBridgeEvents, unit: 'custom events', usd: usage.eventBridgeEvents * AWS_PRICES.eventBridgeCustomEvent.usd },
    { service: 'API Gateway (HTTP API)', quantity: usage.apiRequests, unit: 'requests', usd: usage.apiRequests * AWS_PRICES.httpApiRequest.usd },
    { service: 'SQS', quantity: sqsRequests, unit: 'requests', usd: sqsRequests * AWS_PRICES.sqsRequest.usd },
  ];
  return { lines, usd: lines.reduce((n, l) => n + l.usd, 0), lambdaGbSeconds: gbSeconds };
}

/** One delivered, billable template: what Meta charges for. */
export interface BilledTemplate {
  /** Recipient's country (ISO 3166-1 alpha-2), from the phone's calling code. */
  country: string | undefined;
  category: 'marketing' | 'utility' | 'authentication';
  /** When Meta accepted it (virtual time): the rate in force then applies. */
  at: Date;
}

/** Meta's charge for the delivered templates, from the one price table (shared/kpi/whatsapp-prices.ts). */
export function whatsappSpendUsd(billed: readonly BilledTemplate[]): { usd: number; unpriced: number } {
  let micro = 0;
  let unpriced = 0;
  for (const { country, category, at } of billed) {
    const rate = whatsappPriceMicroUsd(country, category, at);
    if (rate === undefined) unpriced += 1;
    else micro += rate;
  }
  return { usd: micro / MICRO_USD_PER_USD, unpriced };
}

/** Per-journey counts of what was billed, for the tables. */
export function perJourney(usage: Usage, journeys: number): Record<string, number> {
  const invocations = Object.values(usage.lambda).reduce((n, f) => n + f.invocations, 0);
  const per = (n: number) => n / journeys;
  return {
    stateTransitions: per(usage.stateTransitions),
    lambdaInvocations: per(invocations),
    ...Object.fromEntries(Object.entries(usage.lambda).map(([name, f]) => [`lambda.${name}`, per(f.invocations)])),
    dynamoDbRequests: per(Object.values(usage.dynamodb.requests).reduce((n, c) => n + c, 0)),
    dynamoDbWriteUnits: per(usage.dynamodb.writeUnits),
    dynamoDbReadUnits: per(usage.dynamodb.readUnits),
    eventBridgeEvents: per(usage.eventBridgeEvents),
    apiRequests: per(usage.apiRequests),
    sqsRequests: per(usage.sqs.sent + usage.sqs.receiveCalls + Math.ceil(usage.sqs.deletedMessages / 10)),
  };
}

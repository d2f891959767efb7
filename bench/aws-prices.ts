/**
 * AWS list prices the cost model uses: us-east-1, on demand, Lambda on arm64, no free tier and
 * no volume tiers (the first tier is the dearest, so the model errs high). Each figure has its
 * source and the date it was read; replace them here only.
 */
export interface ListPrice {
  usd: number;
  per: string;
  source: string;
  /** When the source was read (YYYY-MM-DD). */
  read: string;
}

export const AWS_PRICES = {
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: 'request',
    source: 'https://aws.amazon.com/lambda/pricing/ (Requests: $0.20 per 1M, x86 and Arm alike)',
    read: '2026-12-02',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second (arm64, first 7.5 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/ (Arm price, US East (N. Virginia))',
    read: '2026-12-02',
  },
  stepFunctionsTransition: {
    usd: 0.025 / 1000,
    per: 'state transition (Standard workflows, retries included)',
    source: 'https://aws.amazon.com/step-functions/pricing/ (US East (N. Virginia): $0.0250 per 1,000 state transitions)',
    read: '2026-12-02',
  },
  dynamoDbWriteRequestUnit: {
    usd: 0.625 / 1e6,
    per: 'write request unit (on-demand; 1 KB, transactional = 2)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million WRU since the November 2024 price cut)',
    read: '2026-12-02',
  },
  dynamoDbReadRequestUnit: {
    usd: 0.125 / 1e6,
    per: 'read request unit (on-demand; 4 KB eventually consistent = 0.5, strongly consistent = 1, transactional = 2)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.125 per million RRU since the November 2024 price cut)',
    read: '2026-12-02',
  },
  eventBridgeCustomEvent: {
    usd: 1 / 1e6,
    per: 'custom event published (64 KB chunks)',
    source: 'https://aws.amazon.com/eventbridge/pricing/ (custom events: $1.00 per million)',
    read: '2026-12-02',
  },
  httpApiRequest: {
    usd: 1 / 1e6,
    per: 'HTTP API request (512 KB increments, first 300 million a month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs: $1.00 per million, first 300 million)',
    read: '2026-12-02',
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    per: 'standard queue request (64 KB chunks)',
    source: 'https://aws.amazon.com/sqs/pricing/ (standard queues: $0.40 per million requests, first 100 billion)',
    read: '2026-12-02',
  },
} as const satisfies Record<string, ListPrice>;

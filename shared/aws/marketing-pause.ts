import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { MarketingPauses } from '../journey/send-step';
import { dynamodb } from './dynamodb';

/**
 * Reads the pause the webhook writes for an NPS detractor (shared/aws/webhook-store.ts,
 * `dynamoContactFacts.pauseMarketing`): contacts table, pk `CONTACT#<phone>`, sk
 * `PAUSED#marketing` (`pausedAt`, `reason`). Strongly consistent, like the consent read.
 */
export function dynamoMarketingPauses(tableName: string): MarketingPauses {
  return {
    async marketingPause(phone) {
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `CONTACT#${phone}` }, sk: { S: 'PAUSED#marketing' } }, ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      return { reason: Item.reason?.S ?? 'paused', pausedAt: Item.pausedAt?.S ?? '' };
    },
  };
}

import { ConditionalCheckFailedException, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { changeVersion, type TemplateStanding, type TemplateStatusStore } from '../templates/status';
import { dynamodb, queryPartition } from './dynamodb';

/**
 * Meta's status and quality of each template in the templates table, one item per language ×
 * template, so the send step reads a customer's language in one Query:
 *   pk `LANGUAGE#<Meta's code>`, sk `TEMPLATE#<name>`: `template`, `language`,
 *   `status`, `statusAt`, `statusReason`?, `statusVersion`, `quality`, `qualityAt`, `qualityVersion`.
 * Each kind is written only over an older version of itself (`changeVersion`), so a late or
 * repeated webhook never undoes a newer one, and a status change leaves the quality alone.
 */
export function dynamoTemplateStatusStore(tableName: string): TemplateStatusStore {
  const key = (language: string, template: string): Record<string, AttributeValue> => ({ pk: { S: `LANGUAGE#${language}` }, sk: { S: `TEMPLATE#${template}` } });
  return {
    async record(change) {
      const kind = change.kind;
      const reason = change.kind === 'status' ? change.reason : undefined;
      try {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(change.language, change.template),
            UpdateExpression:
              `SET #template = :template, #language = :language, #value = :value, #at = :at, #version = :version` +
              (kind === 'status' ? (reason === undefined ? ' REMOVE #reason' : ', #reason = :reason') : ''),
            ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
            ExpressionAttributeNames: {
              '#template': 'template',
              '#language': 'language',
              '#value': kind,
              '#at': `${kind}At`,
              '#version': `${kind}Version`,
              ...(kind === 'status' ? { '#reason': 'statusReason' } : {}),
            },
            ExpressionAttributeValues: {
              ':template': { S: change.template },
              ':language': { S: change.language },
              ':value': { S: change.value },
              ':at': { S: change.at },
              ':version': { N: String(changeVersion(change)) },
              ...(reason === undefined ? {} : { ':reason': { S: reason } }),
            },
          }),
        );
        return { recorded: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { recorded: false };
        throw error;
      }
    },
    async standingsIn(language) {
      return (await queryPartition(tableName, `LANGUAGE#${language}`)).map(toStanding);
    },
  };
}

function toStanding(item: Record<string, AttributeValue>): TemplateStanding {
  const status = item.status?.S;
  const quality = item.quality?.S;
  const reason = item.statusReason?.S;
  return {
    template: item.template?.S ?? '',
    language: item.language?.S ?? '',
    ...(status === undefined ? {} : { status: { value: status, at: item.statusAt?.S ?? '', ...(reason === undefined ? {} : { reason }) } }),
    ...(quality === undefined ? {} : { quality: { value: quality, at: item.qualityAt?.S ?? '' } }),
  };
}

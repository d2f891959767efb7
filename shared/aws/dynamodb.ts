import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One client per container; AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local. */
export const dynamodb = new DynamoDBClient({});

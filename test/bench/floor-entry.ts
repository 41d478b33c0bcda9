import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The cold-start floor: a function that only holds a DynamoDB client, built at import like Latchkey's. */
const client = new DynamoDBClient({});

export const handler = async () => ({ statusCode: 200, body: String(client.config.serviceId) });

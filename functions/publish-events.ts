import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStreamRecords } from '../lib/adapters/dynamodb-event-stream';
import { appDeps, type CoreDeps } from '../lib/deps';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';

/**
 * Reads the table's stream and puts every newly stored event on the bus: the outbox's relay.
 * A batch that fails is read again from its first unpublished event (ReportBatchItemFailures).
 */
export const makeHandler = (deps: Pick<CoreDeps, 'publisher'>) =>
  middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(observed())
    .handler(async (event) => {
      const { failedSequenceNumber, published } = await publishStreamRecords(deps.publisher, event.Records, (error) =>
        logger.error('publishing events failed', { error_name: error instanceof Error ? error.name : 'unknown' }),
      );
      if (published > 0) logger.info('published events', { published });
      return { batchItemFailures: failedSequenceNumber === undefined ? [] : [{ itemIdentifier: failedSequenceNumber }] };
    });

export const handler = makeHandler(appDeps());

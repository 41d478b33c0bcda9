import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';

/** An SQS message body: JSON holding a value of `schema`. */
export const sqsBodySchema = <S extends z.ZodType>(schema: S) =>
  z
    .string()
    .transform((body, ctx) => {
      try {
        const parsed: unknown = JSON.parse(body);
        return parsed;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'The message body is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/**
 * Handles every message of an SQS batch on its own and at once (Powertools' batch utility):
 * a message that is malformed or whose handling throws is reported back alone, for SQS to hand
 * out again and at last dead-letter; the others are done. A batch that fails whole is reported
 * message by message too, not thrown.
 */
export function eachMessage<S extends z.ZodType>(schema: S, handle: (message: z.infer<S>) => Promise<unknown>, onFailure: (record: SQSRecord) => void) {
  const bodySchema = sqsBodySchema(schema);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    // One processor per invocation: it keeps the batch's state, and local mode runs invocations side by side.
    const processor = new BatchProcessor(EventType.SQS);
    const response = await processPartialResponse(event, async (record: SQSRecord) => handle(bodySchema.parse(record.body)), processor, {
      context,
      throwOnFullBatchFailure: false,
      processInParallel: true,
    });
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const record of event.Records) if (failed.has(record.messageId)) onFailure(record);
    return { batchItemFailures: response.batchItemFailures };
  };
}

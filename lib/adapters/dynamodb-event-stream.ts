import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { type SeamEvent, eventSchema } from '../events/schemas';
import type { EventPublisher } from '../ports';
import { parseDoc } from './dynamodb-doc';
import { skPrefix } from './dynamodb-keys';

/*
 * The outbox: every event is written in the transaction of the change it reports, and the
 * table's stream carries it to the bus from there. A crash after the commit loses nothing:
 * the stream still holds the new item, and its reader publishes it (again, at worst).
 */

const attributeValue = z.custom<AttributeValue>((value) => typeof value === 'object' && value !== null);

/** The part of a DynamoDB stream record (Lambda's event or GetRecords) the outbox reads. */
const streamRecordSchema = z.looseObject({
  eventName: z.string().optional(),
  dynamodb: z.looseObject({
    SequenceNumber: z.string(),
    NewImage: z.record(z.string(), attributeValue).optional(),
  }),
});
/** PutEvents takes ten entries a call. */
const batchSize = 10;

/**
 * The event a stream record carries, with its position: the insert of an event item. Undefined
 * for any other write (codes, claims, attempts, removals).
 */
export function storedEventOf(record: unknown): { event: SeamEvent; sequenceNumber: string } | undefined {
  const parsed = streamRecordSchema.safeParse(record);
  if (!parsed.success) return undefined;
  const image = parsed.data.dynamodb.NewImage;
  if (parsed.data.eventName !== 'INSERT' || image?.sk?.S?.startsWith(skPrefix.event) !== true) return undefined;
  return { event: parseDoc(eventSchema, image), sequenceNumber: parsed.data.dynamodb.SequenceNumber };
}

/**
 * Publishes the events among `records`, in order, ten at a time. Returns the sequence number of
 * the first record whose event was not published, so that the stream is read again from there
 * (Lambda's ReportBatchItemFailures; the local relay's checkpoint). Every event id is the one
 * stored, so a consumer can drop the copies an at-least-once delivery brings.
 */
export async function publishStreamRecords(
  publisher: EventPublisher,
  records: readonly unknown[],
  onError: (error: unknown) => void = () => {},
): Promise<{ failedSequenceNumber?: string; published: number }> {
  const pending = records.flatMap((record) => storedEventOf(record) ?? []);
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize);
    try {
      await publisher.publish(batch.map((p) => p.event));
    } catch (error) {
      onError(error);
      return { failedSequenceNumber: batch[0]?.sequenceNumber, published: i };
    }
  }
  return { published: pending.length };
}

/**
 * AWS on-demand prices the bench's cost figures use (us-east-1, as published in December 2026;
 * DynamoDB's since November 2024). docs/benchmarks.md gives the same table.
 */
export const prices = {
  /** DynamoDB on-demand, per read request unit. */
  readRequestUnit: 0.125 / 1e6,
  /** DynamoDB on-demand, per write request unit. */
  writeRequestUnit: 0.625 / 1e6,
  /** Lambda, per request (invocation). */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda (x86), per GB-second. */
  lambdaGbSecond: 0.0000166667,
  /** The stack's function memory (infra/constructs/latchkey-function.ts). */
  lambdaMemoryGb: 1,
  /** API Gateway HTTP API, per request (first 300 million a month). */
  apiGatewayRequest: 1.0 / 1e6,
  /** EventBridge custom events, per event put (each 64 KB chunk). */
  eventBridgeEvent: 1.0 / 1e6,
  /** SQS standard queue, per request (each 64 KB chunk). */
  sqsRequest: 0.4 / 1e6,
};

const readCommands = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand', 'ScanCommand']);

/** Capacity units split into reads and writes, by the command that consumed them. */
export function splitCapacity(capacity: Record<string, number>): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const [command, units] of Object.entries(capacity)) {
    if (readCommands.has(command)) read += units;
    else write += units;
  }
  return { read, write };
}

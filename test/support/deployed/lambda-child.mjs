// One deployed function's bundle in a process of its own, as Lambda runs it: the bundle is
// imported once (its cold start), then each invocation the parent sends is handed to `handler`.
import { randomUUID } from 'node:crypto';

const bundle = await import(process.argv[2]);
const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
process.on('message', async ({ id, event }) => {
  const deadline = Date.now() + Number(process.env.LATCHKEY_TEST_TIMEOUT_MS ?? 30_000);
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  try {
    const result = await bundle.handler(event, context);
    process.send({ id, result: result ?? null });
  } catch (error) {
    process.send({ id, error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } });
  }
});
process.send({ ready: true });

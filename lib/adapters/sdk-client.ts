/**
 * An AWS SDK client without the SDK's logger middleware. That middleware walks every request's
 * input and every response's output through the operation's schema to mask sensitive members,
 * and hands the copy to the client's logger, even the default one that drops it: about 7% of
 * the CPU of the poller's DynamoDB calls. Latchkey gives its clients no logger (its own logs
 * name ids, never items), so nothing is lost.
 */
export function withoutSdkLogging<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

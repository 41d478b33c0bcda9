import { credentialPattern, logger, pinPattern } from '../../lib/logger';

/*
 * Every test file runs with the logger at DEBUG, its lines captured instead of printed, and
 * fails if any line holds something shaped like a PIN or a credential: the whole suite's log
 * output is scanned for what must never be logged.
 */

const captured: string[] = [];

/** Takes the logger's JSON lines off a stream and keeps them; everything else goes through. */
function capture(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    if (text.startsWith('{') && text.includes('"service"')) {
      captured.push(...text.split('\n').filter((line) => line.trim() !== ''));
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
}
capture(process.stdout);
capture(process.stderr);
logger.setLogLevel('DEBUG');

/** Fields Powertools fills from the Lambda context, digits by design. */
const contextFields = new Set(['function_memory_size']);

/** Every string inside a parsed log line. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => (contextFields.has(key) ? [] : strings(inner)));
  }
  return [];
}

/** The log lines that hold something shaped like a PIN or a credential, with what was found. */
export function secretsIn(lines: readonly string[]): { line: string; found: string[] }[] {
  return lines.flatMap((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return [{ line, found: ['(not JSON)'] }];
    }
    const found = strings(parsed).flatMap((s) => [...(s.match(credentialPattern) ?? []), ...(s.match(pinPattern) ?? [])]);
    return found.length > 0 ? [{ line, found }] : [];
  });
}

afterAll(() => {
  expect(secretsIn(captured)).toEqual([]);
});

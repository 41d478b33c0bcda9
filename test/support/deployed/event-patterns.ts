/**
 * Whether `value` matches an EventBridge event pattern or a Lambda event filter (the same
 * language): each key of the pattern must be in the value; a list matches when the value
 * equals one of its strings or starts with one of its `{prefix}`es; an object recurses. A
 * pattern using anything else throws, so that a template the test cannot read fails it.
 */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((option) => {
      if (typeof option === 'string') return value === option;
      if (typeof option === 'object' && option !== null && 'prefix' in option && typeof option.prefix === 'string') return typeof value === 'string' && value.startsWith(option.prefix);
      throw new Error(`Unsupported pattern ${JSON.stringify(option)}`);
    });
  }
  if (typeof pattern !== 'object' || pattern === null) throw new Error(`Unsupported pattern ${JSON.stringify(pattern)}`);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([key, inner]) => key in value && matchesPattern(inner, (value as Record<string, unknown>)[key]));
}

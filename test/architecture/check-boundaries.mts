import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';

/*
 * `npm run boundaries`: holds lib/, functions/ and edge/ against the rules in .dependency-cruiser.cjs
 * and prints each violation as "rule: from → to". Exit code 1 when any rule is broken.
 *   --root DIR   the tree to check (default: the repository); the fixture test points it at a tiny tree
 *   --json       print the violations as JSON instead (for the fixture test)
 */

interface Violation {
  rule: string;
  from: string;
  to: string;
  /** The modules of an import circle, in order, when the rule is about circles. */
  cycle?: string[];
}

const repository = resolve(import.meta.dirname, '../..');

function loadConfig(): IConfiguration {
  const config: IConfiguration = createRequire(import.meta.url)(resolve(repository, '.dependency-cruiser.cjs'));
  return config;
}

async function findViolations(root: string): Promise<Violation[]> {
  const { forbidden, options } = loadConfig();
  const result = await cruise(['lib', 'functions', 'edge'], { ...options, baseDir: root, validate: true, ruleSet: { forbidden } });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text where a result was expected');
  const output: ICruiseResult = result.output;
  return output.summary.violations
    .filter((violation) => violation.rule.severity === 'error')
    .map((violation) => ({
      rule: violation.rule.name,
      from: violation.from,
      to: violation.to,
      ...(violation.cycle ? { cycle: violation.cycle.map((step) => step.name) } : {}),
    }));
}

function describe(violation: Violation, comments: Map<string, string>): string {
  const path = violation.cycle ? [violation.from, ...violation.cycle].join(' → ') : `${violation.from} → ${violation.to}`;
  return `  ${violation.rule}: ${path}\n      ${comments.get(violation.rule) ?? ''}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { root: { type: 'string' }, json: { type: 'boolean' } } });
  const violations = await findViolations(resolve(values.root ?? repository));
  if (values.json) {
    console.log(JSON.stringify(violations));
    return 0;
  }
  if (violations.length === 0) return 0;
  const comments = new Map((loadConfig().forbidden ?? []).map((rule) => [rule.name ?? '', rule.comment ?? '']));
  console.error(`Import boundaries broken (${violations.length}; rules in .dependency-cruiser.cjs):\n${violations.map((v) => describe(v, comments)).join('\n')}`);
  return 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error);
  process.exitCode = 2;
}

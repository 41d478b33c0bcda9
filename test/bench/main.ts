/**
 * `npm run bench [-- --quick] [-- --only=<id,...>]`: Latchkey's performance measures, each as
 * a ratio to a reference taken in the same run. Prints the tables and writes the same figures
 * to bench-results/latest.json. Not part of `npm test`: it needs minutes, Java (DynamoDB
 * Local) and a quiet machine. docs/benchmarks.md explains each measure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { measureCodeLife } from './code-life';
import { measureColdStart } from './cold-start';
import { measureDynamoDbCost } from './dynamodb-cost';
import { measureHandlerOverhead } from './handler-overhead';
import { type LoadSettings, measureAgainstFake, measureOnDynamoDb } from './http-load';
import { type LockSweepSettings, measureLockSweep } from './lock-sweep';
import { type PollerSettings, measurePoller } from './poller';
import { type Section, renderSection, sectionJson, verdict } from './report';
import { machine, progress, repoRoot } from './support';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface Settings {
  memoryLoad: LoadSettings;
  dynamoDbLoad: LoadSettings;
  handlerRounds: number;
  handlerCalls: number;
  coldStartRuns: number;
  poller: PollerSettings;
  lockSweep: LockSweepSettings;
  /** Codes whose whole life is priced. */
  codeLifeCodes: number;
}

const quickSettings: Settings = {
  memoryLoad: { connections: 10, rounds: 2, sliceSeconds: 1, warmupSeconds: 0.5 },
  dynamoDbLoad: { connections: 32, rounds: 2, sliceSeconds: 1, warmupSeconds: 1 },
  handlerRounds: 5,
  handlerCalls: 10_000,
  coldStartRuns: 3,
  poller: { notDue: 10_000, burst: 1_000, sweeps: 3 },
  lockSweep: { locks: 1_000, codesPerLock: 2 },
  codeLifeCodes: 50,
};

const fullSettings: Settings = {
  memoryLoad: { connections: 10, rounds: 4, sliceSeconds: 2, warmupSeconds: 2 },
  dynamoDbLoad: { connections: 32, rounds: 4, sliceSeconds: 2, warmupSeconds: 2 },
  handlerRounds: 11,
  handlerCalls: 30_000,
  coldStartRuns: 11,
  poller: { notDue: 100_000, burst: 10_000, sweeps: 5 },
  lockSweep: { locks: 10_000, codesPerLock: 2 },
  codeLifeCodes: 100,
};

const sectionIds = ['api-vs-fake', 'handler-overhead', 'cold-start', 'api-on-dynamodb', 'dynamodb-cost', 'poller', 'lock-sweep', 'code-life'] as const;

function parseArgs(argv: readonly string[]) {
  const quick = argv.includes('--quick');
  const only = argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const unknown = [...(only ?? []).filter((id) => !sectionIds.some((s) => s === id)), ...argv.filter((a) => a !== '--quick' && !a.startsWith('--only='))];
  if (unknown.length > 0) {
    console.error(`bench: unknown ${unknown.join(', ')}. Usage: npm run bench -- [--quick] [--only=${sectionIds.join(',')}]`);
    process.exit(2);
  }
  return { quick, wanted: (id: string) => only === undefined || only.includes(id) };
}

async function main() {
  const { quick, wanted } = parseArgs(process.argv.slice(2));
  const settings = quick ? quickSettings : fullSettings;
  const host = machine();
  const started = Date.now();
  const header = [
    `# Latchkey benchmarks, ${quick ? 'quick' : 'full'} run of ${new Date().toISOString()}`,
    `Machine: ${host.cpuModel}, ${host.cores} cores, ${host.memoryGb} GB, Node ${host.node}, ${host.platform}`,
  ].join('\n');
  console.log(`${header}\n`);

  const sections: Section[] = [];
  /** Runs one measure; the load average around it says whether something else shared the machine. */
  const add = async (label: string, measure: () => Promise<Section>) => {
    progress(label);
    const before = loadavg()[0] ?? 0;
    const section = await measure();
    const after = loadavg()[0] ?? 0;
    section.notes.push(`Machine load average (1 min) before / after: ${before.toFixed(2)} / ${after.toFixed(2)} on ${host.cores} cores.`);
    sections.push(section);
    console.log(`${renderSection(section)}\n`);
  };

  // The CPU-bound measures first, while no DynamoDB Local (Java) shares the machine.
  if (wanted('api-vs-fake')) await add("1a: local API vs Seam's fake, in memory", () => measureAgainstFake(settings.memoryLoad));
  if (wanted('handler-overhead')) await add('2: warm handler overhead', () => measureHandlerOverhead(settings.handlerRounds, settings.handlerCalls));
  if (wanted('cold-start')) {
    await add('3: bundles and cold imports', () => measureColdStart({ runs: settings.coldStartRuns, outDir: join(repoRoot, 'bench-results', 'bundles') }));
  }
  /**
   * A measure on DynamoDB Local, each on an instance of its own: in one instance, a measure's
   * tables would pay on every write for the stream records of those before it (localDynamoDbClient).
   */
  const onDynamoDb = async (label: string, measure: (endpoint: string) => Promise<Section>) => {
    progress(`starting DynamoDB Local for ${label.split(':')[0]}`);
    const dynamoDb = await startDynamoDbLocal();
    try {
      await add(label, () => measure(dynamoDb.endpoint));
    } finally {
      await dynamoDb.stop();
    }
  };
  if (wanted('api-on-dynamodb')) await onDynamoDb('1b: local API on DynamoDB Local vs bare GetItem', (endpoint) => measureOnDynamoDb(settings.dynamoDbLoad, endpoint));
  if (wanted('dynamodb-cost')) await onDynamoDb('4: DynamoDB requests per call', (endpoint) => measureDynamoDbCost(endpoint));
  if (wanted('poller')) {
    const { notDue, burst } = settings.poller;
    await onDynamoDb(`5: poller (${notDue.toLocaleString('en-US')} not-due codes, burst of ${burst.toLocaleString('en-US')})`, (endpoint) => measurePoller(endpoint, settings.poller, quick));
  }
  if (wanted('lock-sweep')) {
    await onDynamoDb(`6: sweep of ${settings.lockSweep.locks.toLocaleString('en-US')} idle locks`, (endpoint) => measureLockSweep(endpoint, settings.lockSweep, quick));
  }
  if (wanted('code-life')) await onDynamoDb(`7: a code's whole life, ${settings.codeLifeCodes} codes`, (endpoint) => measureCodeLife(endpoint, settings.codeLifeCodes));

  const checks = sections.flatMap((s) => s.checks.map((c) => ({ section: s.title, ...c })));
  const missed = checks.filter((c) => !c.ok);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`## Summary: ${checks.length - missed.length} of ${checks.length} targets met, ${missed.length} MISSED (${seconds} s)`);
  for (const c of missed) console.log(`   ${verdict(false)}: ${c.name}: ${c.value} (wanted ${c.target})`);

  const outDir = join(repoRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'latest.json');
  const json = { mode: quick ? 'quick' : 'full', generatedAt: new Date().toISOString(), seconds, machine: host, settings, sections: sections.map(sectionJson), missed };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nFigures written to ${file}`);
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });

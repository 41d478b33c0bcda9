import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../lib/adapters/dynamodb-table-setup';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';

/*
 * A process killed with SIGKILL (npm start, say) cannot stop its DynamoDB Local: the Java
 * process lives on with the data files open. The next start stops it before opening them.
 */

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a DynamoDB Local left running by a killed process is stopped before another opens its files', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-leftover-'));
  const script = `require('./lib/local/dynamodb-local').startDynamoDbLocal({ dataDir: ${JSON.stringify(dataDir)} }).then(() => console.log('ready'))`;
  const owner = spawn('node', ['--conditions=import', '--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const chunk of owner.stdout ?? []) if (String(chunk).includes('ready')) break;
  const leftover = Number(readFileSync(join(dataDir, 'dynamodb-local.pid'), 'utf8'));
  owner.kill('SIGKILL');
  await once(owner, 'exit');
  expect(alive(leftover)).toBe(true);

  const local = await startDynamoDbLocal({ dataDir });
  try {
    expect(alive(leftover)).toBe(false);
    const client = localDynamoDbClient(local.endpoint);
    await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
    client.destroy();
  } finally {
    await local.stop();
    if (alive(leftover)) process.kill(leftover, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

import { type Browser, type Page, chromium } from 'playwright-core';
import { getOrCreateClientSession } from '../../lib/principals/client-sessions';
import { createPublishableKey } from '../../lib/principals/credentials';
import { workspacePrincipal } from '../../lib/principals/principal';
import { getOrCreateClientSessionInputSchema } from '../../lib/principals/schemas';
import { appDeps, type E2eServer, startE2eServer } from '../support/e2e-server';
import { pollUntil } from './poll';

/*
 * The console (/console, Seam's React components) in Debian's Chromium, driven by
 * playwright-core: signed in with a publishable key as a user the owner granted two locks,
 * it lists exactly those, creates a code in Seam's form, and the page's own requests then
 * report the code set on the lock.
 */
let server: E2eServer;
let browser: Browser;

beforeAll(async () => {
  server = await startE2eServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // What works on this machine's closed network (Playwright gives each launch a fresh profile).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The access codes in every answer the page gets from /access_codes/get and /list. */
function watchAccessCodes(page: Page): Map<string, { name: string | null; status: string }> {
  const seen = new Map<string, { name: string | null; status: string }>();
  page.on('response', async (response) => {
    if (!/\/access_codes\/(get|list)\b/.test(response.url())) return;
    const body: unknown = await response.json().catch(() => undefined);
    if (typeof body !== 'object' || body === null) return;
    const codes = 'access_codes' in body && Array.isArray(body.access_codes) ? body.access_codes : 'access_code' in body ? [body.access_code] : [];
    for (const code of codes) seen.set(code.access_code_id, { name: code.name, status: code.status });
  });
  return seen;
}

it('lists the granted locks, creates a code in the form, and sees it reach set', async () => {
  const deps = appDeps();
  const { publishable_key } = await createPublishableKey(deps, server.workspaceId);
  const locks = await deps.devices.list(server.workspaceId, { limit: 100 });
  const granted = locks.filter((d) => ['Front Door', 'Back Door'].includes(d.device.display_name));
  await getOrCreateClientSession(
    deps,
    workspacePrincipal(server.workspaceId),
    getOrCreateClientSessionInputSchema.parse({ user_identifier_key: 'console-user', device_ids: granted.map((d) => d.device.device_id) }),
  );

  const page = await browser.newPage();
  const codes = watchAccessCodes(page);
  await page.goto(`${server.url}/console?publishable_key=${publishable_key}&user_identifier_key=console-user`);

  // The device table: the two granted locks, none of the others.
  await page.getByText('Back Door').first().waitFor({ timeout: 30_000 });
  expect(await page.locator('.seam-table-title').first().textContent()).toBe('Devices (2)');
  expect(await page.getByText('Front Door').count()).toBeGreaterThan(0);
  expect(await page.getByText('Garage').count()).toBe(0);

  // Device details, its access-code table, and Seam's create form.
  const openFrontDoorCodes = async () => {
    await page.getByText('Front Door').first().click();
    // The details count the lock's codes first ("– access codes" until /access_codes/list answers):
    // a click on the link before the count is there can open nothing on a slow machine.
    const codesLink = page.getByText(/\d+ access codes?/).first();
    await codesLink.waitFor({ timeout: 20_000 });
    const listed = page.waitForResponse((r) => /\/access_codes\/list\b/.test(r.url()), { timeout: 20_000 });
    await codesLink.click();
    expect((await listed).status()).toBe(200);
  };
  await openFrontDoorCodes();
  await page.locator('.seam-add-button').click();
  await page.locator('input[name=name]').fill('Console guest');
  await page.getByRole('button', { name: 'Generate code' }).click();
  // The form fills the code in when /access_codes/generate_code answers: saving before that is refused by the form.
  await pollUntil(
    'the generated code in the form',
    () => page.locator('input[name=code]').inputValue(),
    (code) => /^\d+$/.test(code),
  );
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Console guest').first().waitFor({ timeout: 30_000 });
  const accessCodeId = await pollUntil(
    'the page to read the new code back',
    async () => [...codes].find(([, c]) => c.name === 'Console guest')?.[0],
    (id) => id !== undefined,
  );
  if (accessCodeId === undefined) throw new Error('unreachable');

  // Until the lock has it: open the console again, as a user would, and read the code table.
  const deadline = Date.now() + 30_000;
  while (codes.get(accessCodeId)?.status !== 'set' && Date.now() < deadline) {
    await page.reload();
    await page.getByText('Back Door').first().waitFor({ timeout: 20_000 });
    await openFrontDoorCodes();
  }
  expect(codes.get(accessCodeId)).toEqual({ name: 'Console guest', status: 'set' });
  expect((await deps.accessCodes.get(server.workspaceId, accessCodeId))?.access_code.status).toBe('set');
  await page.close();
}, 90_000);

it('shows each lock with a picture served by Latchkey, never asking Seam, and its Unlock button unlocks the lock', async () => {
  const deps = appDeps();
  const { publishable_key } = await createPublishableKey(deps, server.workspaceId);
  const locks = await deps.devices.list(server.workspaceId, { limit: 100 });
  const garage = locks.find((d) => d.device.display_name === 'Garage');
  if (!garage) throw new Error('no Garage');
  await getOrCreateClientSession(
    deps,
    workspacePrincipal(server.workspaceId),
    getOrCreateClientSessionInputSchema.parse({ user_identifier_key: 'unlock-user', device_ids: [garage.device.device_id] }),
  );

  const page = await browser.newPage();
  // A private deployment: nothing but Latchkey is reachable. Every request elsewhere is refused and recorded.
  const elsewhere: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url)) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  await page.goto(`${server.url}/console?publishable_key=${publishable_key}&user_identifier_key=unlock-user`);
  await page.getByText('Garage').first().waitFor({ timeout: 30_000 });
  const picture = page.locator('img[alt="Garage"]').first();
  await picture.waitFor({ timeout: 20_000 });
  await pollUntil(
    'the lock picture to load',
    () => picture.evaluate((img) => Reflect.get(img, 'complete') === true && Number(Reflect.get(img, 'naturalWidth')) > 0),
    (loaded) => loaded,
  );
  expect(await picture.getAttribute('src')).toBe('/console/lock.svg');

  await page.getByText('Garage').first().click();
  const unlocked = page.waitForResponse((r) => /\/locks\/unlock_door\b/.test(r.url()), { timeout: 20_000 });
  await page.getByRole('button', { name: 'Unlock' }).click();
  expect((await unlocked).status()).toBe(200);
  await pollUntil(
    'the Garage to be unlocked',
    async () => (await deps.devices.get(server.workspaceId, garage.device.device_id))?.device.properties.locked,
    (locked) => locked === false,
  );
  expect(elsewhere.filter((url) => !url.startsWith('data:'))).toEqual([]);
  await page.close();
}, 90_000);

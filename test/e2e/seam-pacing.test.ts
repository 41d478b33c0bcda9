import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../support/memory-app';
import { type SeamUpstreamServer, startSeamUpstreamServer } from '../support/seam-upstream-server';

/*
 * Seam's per-device limit of 10 code creations a minute, end to end: 30 codes created at once
 * through the official 2.x client on one lock of a Seam upstream (Seam's fake behind a bridge
 * that logs every request it takes). The server and the bridge's log run on a clock the test
 * moves, 15 s at a time, only while the upstream is quiet (nothing in flight, nothing new for
 * a poller tick and more), so each request is logged at the time of the turn it was sent in.
 * The clock starts 10 s before a minute boundary, where fixed per-minute windows would let 10
 * more through at once. The test takes about 30 s of real time after the server starts.
 */

const clock = new ManualClock(new Date('2027-03-01T09:00:50.000Z'));
let t: SeamUpstreamServer;

beforeAll(async () => {
  t = await startSeamUpstreamServer({ clock });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const state = () => t.upstream.fake.database;
const upstreamCodes = () => state().access_codes.filter((c) => c.device_id === t.upstreamDeviceId);
const creates = () => t.upstream.log.filter((r) => r.request.endsWith(' /access_codes/create'));

/** Waits until the upstream has had nothing in flight and no new request for `quietMs` of real time. */
async function upstreamQuiet(quietMs = 1500) {
  let seen = t.upstream.log.length;
  let since = Date.now();
  while (Date.now() - since < quietMs || t.upstream.inFlight > 0) {
    await sleep(100);
    if (t.upstream.log.length !== seen || t.upstream.inFlight > 0) {
      seen = t.upstream.log.length;
      since = Date.now();
    }
  }
}

/** The most creates the upstream took in any span of `spanMs` (each span starting at a create). */
const mostInAnySpan = (times: readonly number[], spanMs: number) => Math.max(0, ...times.map((start) => times.filter((at) => at >= start && at < start + spanMs).length));

test('30 codes created at once on one Seam upstream lock: never more than 10 creates upstream in any 60 s, and all 30 end set', async () => {
  const pins = Array.from({ length: 30 }, (_, i) => String(204_800 + i * 7_919));
  const created = await Promise.all(pins.map((code, i) => t.seam.accessCodes.create({ device_id: t.deviceId, code, name: `Guest ${i + 1}` })));
  expect(new Set(created.map((c) => c.access_code_id)).size).toBe(30);

  const allSet = async () => {
    const codes = await t.seam.accessCodes.list({ device_id: t.deviceId });
    return codes.length === 30 && codes.every((c) => c.status === 'set');
  };
  for (let step = 0; step < 40 && !(await allSet()); step++) {
    await upstreamQuiet();
    // Seam reports each code set once its lock confirms.
    for (const code of upstreamCodes()) if (code.status !== 'set') state().updateAccessCode({ access_code_id: code.access_code_id, status: 'set' });
    clock.advance(15_000);
  }
  expect(await allSet()).toBe(true);

  const times = creates().map((r) => r.at);
  // Each code created upstream exactly once.
  expect(times).toHaveLength(30);
  expect(
    upstreamCodes()
      .map((c) => c.code)
      .sort(),
  ).toEqual([...pins].sort());
  expect(mostInAnySpan(times, 60_000)).toBeLessThanOrEqual(10);
  // The limit was reached, not avoided: 10 went out at once, and the 30 took at least two minutes.
  expect(mostInAnySpan(times, 60_000)).toBe(10);
  expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(120_000);
  const codes = await t.seam.accessCodes.list({ device_id: t.deviceId });
  expect(codes.every((c) => c.errors.length === 0)).toBe(true);
}, 120_000);

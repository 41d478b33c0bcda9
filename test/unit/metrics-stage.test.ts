/** Metrics carry their stage, so that stages sharing an account keep their figures apart (the alarms select on it). */
test('every metric carries the stage dimension from LATCHKEY_STAGE', async () => {
  const written: string[] = [];
  const saved = { stage: process.env.LATCHKEY_STAGE, disabled: process.env.POWERTOOLS_METRICS_DISABLED };
  process.env.LATCHKEY_STAGE = 'qa1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await jest.isolateModulesAsync(async () => {
      const { metrics, metricsStage, recordPollerLag } = await import('../../lib/observability');
      expect(metricsStage).toBe('qa1');
      recordPollerLag(1234);
      metrics.publishStoredMetrics();
    });
  } finally {
    write.mockRestore();
    process.env.LATCHKEY_STAGE = saved.stage;
    process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
    if (saved.stage === undefined) delete process.env.LATCHKEY_STAGE;
    if (saved.disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
  const emf = written.map((line) => JSON.parse(line)).find((entry) => 'PollerLag' in entry);
  expect(emf).toMatchObject({
    stage: 'qa1',
    service: 'latchkey',
    PollerLag: 1234,
    _aws: { CloudWatchMetrics: [{ Namespace: 'Latchkey', Dimensions: [expect.arrayContaining(['service', 'stage'])] }] },
  });
});

test('metrics with dimensions of their own carry only theirs, with the stage, one line each', async () => {
  const written: string[] = [];
  const saved = { stage: process.env.LATCHKEY_STAGE, disabled: process.env.POWERTOOLS_METRICS_DISABLED };
  process.env.LATCHKEY_STAGE = 'qa1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await jest.isolateModulesAsync(async () => {
      const { recordProviderCall, recordProviderError, recordQueueAge } = await import('../../lib/observability');
      recordProviderCall('seam', 'made');
      recordProviderCall('sandbox', 'throttled');
      recordProviderError('device_offline');
      recordQueueAge('seam', 1500);
    });
  } finally {
    write.mockRestore();
    process.env.LATCHKEY_STAGE = saved.stage;
    process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
    if (saved.stage === undefined) delete process.env.LATCHKEY_STAGE;
    if (saved.disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
  const lines = written.map((line) => JSON.parse(line)).filter((entry) => '_aws' in entry);
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatchObject({ stage: 'qa1', provider: 'seam', ProviderCalls: 1 });
  expect(lines[1]).toMatchObject({ stage: 'qa1', provider: 'sandbox', ThrottledWaits: 1 });
  expect(lines[2]).toMatchObject({ stage: 'qa1', kind: 'device_offline', ProviderErrors: 1 });
  expect(lines[2]).not.toHaveProperty('provider');
  expect(lines[3]).toMatchObject({ stage: 'qa1', provider: 'seam', QueueAge: 1500 });
  expect(lines[3]).not.toHaveProperty('kind');
  expect(lines[0]).not.toHaveProperty('ThrottledWaits');
});

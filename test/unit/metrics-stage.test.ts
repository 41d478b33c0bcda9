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

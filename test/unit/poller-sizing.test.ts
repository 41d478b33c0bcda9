import { partitionLimits, pollerSizing } from '../../lib/engine/poller-sizing';

describe('sizing the poller for a load', () => {
  const load = { dueCodesPerMinute: 1_000_000, workSeconds: 50, codesPerSecondPerInvocation: 1000, dueIndexWriteUnitsPerCode: 4, dueIndexReadUnitsPerCode: 0.25 };

  it('gives each shard at most half a partition and enough invocations, both powers of two', () => {
    const sizing = pollerSizing(load);
    // 20,000 codes/s x 4 units = 80,000 write units/s: 160 half-partitions; 20 invocations at 1,000 codes/s.
    expect(sizing).toMatchObject({ codesPerSecond: 20_000, shardsForPartitions: 160, invocationsForRate: 20, shards: 256, fanOut: 32 });
    expect(sizing.writeUnitsPerShard).toBeLessThanOrEqual(partitionLimits.writeUnits * 0.5);
    expect(sizing.readUnitsPerShard).toBeLessThanOrEqual(partitionLimits.readUnits * 0.5);
  });

  it('lets the rate decide when one invocation is slow, and never fans out past the shards', () => {
    const sizing = pollerSizing({ ...load, codesPerSecondPerInvocation: 10, dueIndexWriteUnitsPerCode: 0.01 });
    expect(sizing.invocationsForRate).toBe(2000);
    expect(sizing.shards).toBe(2048);
    expect(sizing.fanOut).toBe(2048);
  });

  it('needs one shard and one invocation for a trickle', () => {
    expect(pollerSizing({ ...load, dueCodesPerMinute: 60 })).toMatchObject({ shards: 1, fanOut: 1 });
  });
});

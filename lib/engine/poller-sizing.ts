/**
 * DynamoDB's published limits for one partition, per second (Developer Guide, "Partitions and
 * data distribution"): an index's partition has the same. Each due shard is one partition key
 * of the `due` index, so every code the poller steps in a shard writes to that shard's partition.
 */
export const partitionLimits = { readUnits: 3000, writeUnits: 1000 } as const;

/** The work of the poller's ticks, and what one invocation was measured to do. */
export interface PollerLoad {
  /** Codes falling due per minute (one tick of the default schedule). */
  dueCodesPerMinute: number;
  /** Seconds of a tick an invocation works: its timeout less the margin it keeps. */
  workSeconds: number;
  /** Codes one invocation steps per second (measured by the bench). */
  codesPerSecondPerInvocation: number;
  /** Write units one code's step costs on the due index (its entry written, and the old one deleted when it moves shard). */
  dueIndexWriteUnitsPerCode: number;
  /** Read units one code costs on the due index (its share of the Query pages that list it). */
  dueIndexReadUnitsPerCode: number;
  /** Share of a partition's limit to plan for, so a shard hotter than the mean still fits. */
  headroom?: number;
}

export interface PollerSizing {
  /** Codes per second every tick must step. */
  codesPerSecond: number;
  /** Shards the partition limits need: each shard's writes and reads under `headroom` of one partition's. */
  shardsForPartitions: number;
  /** Invocations the measured rate needs. */
  invocationsForRate: number;
  /** The due index's shard count: a power of two at least both of those. */
  shards: number;
  /** Invocations per tick (the schedule's fan-out): each sweeps shards / fanOut shards. */
  fanOut: number;
  /** Write and read units per second on each shard's partition at that count. */
  writeUnitsPerShard: number;
  readUnitsPerShard: number;
}

const powerOfTwoAtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * The due index's shard count and the poller's fan-out that take `load`: enough shards that no
 * shard's partition passes `headroom` of DynamoDB's per-partition limits, and enough invocations
 * at the measured rate; the fan-out divides the shards evenly (shardGroups), so both are powers of two.
 */
export function pollerSizing(load: PollerLoad, limits: { readUnits: number; writeUnits: number } = partitionLimits): PollerSizing {
  const headroom = load.headroom ?? 0.5;
  const codesPerSecond = load.dueCodesPerMinute / load.workSeconds;
  const shardsForWrites = (codesPerSecond * load.dueIndexWriteUnitsPerCode) / (limits.writeUnits * headroom);
  const shardsForReads = (codesPerSecond * load.dueIndexReadUnitsPerCode) / (limits.readUnits * headroom);
  const shardsForPartitions = Math.ceil(Math.max(shardsForWrites, shardsForReads, 1));
  const invocationsForRate = Math.ceil(codesPerSecond / load.codesPerSecondPerInvocation);
  const shards = powerOfTwoAtLeast(Math.max(shardsForPartitions, invocationsForRate));
  const fanOut = Math.min(shards, powerOfTwoAtLeast(invocationsForRate));
  return {
    codesPerSecond,
    shardsForPartitions,
    invocationsForRate,
    shards,
    fanOut,
    writeUnitsPerShard: (codesPerSecond * load.dueIndexWriteUnitsPerCode) / shards,
    readUnitsPerShard: (codesPerSecond * load.dueIndexReadUnitsPerCode) / shards,
  };
}

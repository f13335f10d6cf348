// `eddy bench consumer`: replays a topic from the beginning and counts records and value bytes.
import { consume, connectEddy, type SmartModuleRef } from './eddy_client.ts';
import { throughput, type Throughput } from './report.ts';

export interface ConsumerRun {
  endpoint: string;
  topic: string;
  /** Stop after this many records (or at the end of the log, whichever first). */
  maxRecords: number;
  partitions?: number[];
  smartmodule?: SmartModuleRef;
  onProgress?: (received: number) => void;
}

export async function runConsumer(run: ConsumerRun): Promise<Throughput> {
  const eddy = await connectEddy(run.endpoint);
  try {
    let count = 0;
    let bytes = 0;
    const every = 65_536;
    const start = performance.now();
    await consume(eddy, run.topic, { from: 'beginning', partitions: run.partitions, stopAtEnd: true, smartmodule: run.smartmodule }, (value) => {
      bytes += value.length;
      if ((++count & (every - 1)) === 0) run.onProgress?.(count);
      return count < run.maxRecords;
    });
    const seconds = (performance.now() - start) / 1000;
    run.onProgress?.(count);
    return throughput(count, bytes, seconds);
  } finally {
    await eddy.close();
  }
}

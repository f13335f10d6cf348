// `eddy bench producer|consumer|e2e|smartmodule|graph`: measure a running cluster.
import { Command, Option } from 'commander';
import { BENCH_COMPRESSIONS, BENCH_DEFAULTS, BENCH_FLUSH, OUTPUT_FORMATS, type RawBenchOptions } from '../bench/options.ts';
import { benchCommand, type BenchMode } from '../bench/run.ts';
import { registerCliBench } from '../bench/cli_startup.ts';
import { registerHubBench } from '../bench/hub.ts';
import { GRAPH_BENCH_DEFAULTS, graphBenchCommand, type RawGraphBenchOptions } from '../bench/graph.ts';
import { globalsOf, resolveEndpoint } from '../context.ts';
import { ClusterUnreachableError, isUnreachable, systemErrorCode } from '../errors.ts';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function withCommonOptions(cmd: Command, mode: BenchMode): Command {
  const d = BENCH_DEFAULTS;
  cmd
    .option('--record-size <size>', 'bytes per record value (e.g. 100, 5KiB)', d.recordSize)
    .option('--num-records <n>', 'records in total', d.numRecords)
    .option('--partitions <n>', 'partitions of the temporary topic', d.partitions)
    .option('--topic <name>', 'use this topic instead of a temporary one (created and deleted by the run)')
    .addOption(new Option('--flush <policy>', 'flush policy of the temporary topic: os = ack after write to OS, fsync = fdatasync before ack').choices([...BENCH_FLUSH]).default(d.flush))
    .option('--broker-pid <pid>', "the broker's pid, to report its RSS (default: $EDDY_HOME/eddy.pid)")
    .option('--metrics-url <url>', "the broker's /metrics, to report its RSS when the pid is unknown")
    .addOption(new Option('-O, --output <format>', 'report format').choices([...OUTPUT_FORMATS]).default(d.output))
    .option('--no-progress', 'no progress bar');
  if (mode !== 'consumer' && mode !== 'smartmodule') {
    cmd
      .option('--batch-size <size>', 'producer batch size', d.batchSize)
      .option('--linger <duration>', 'producer linger (e.g. 0, 5ms)', mode === 'e2e' ? '0ms' : d.linger)
      .addOption(new Option('--compression <algo>', 'producer compression').choices([...BENCH_COMPRESSIONS]).default(d.compression))
      .option('--max-in-flight <n>', 'produce requests outstanding per producer', d.maxInFlight);
  }
  if (mode === 'producer') cmd.option('--producers <n>', 'concurrent producers (one connection each)', d.producers);
  if (mode === 'e2e') cmd.option('--rate <records/s>', 'target records per second', d.rate);
  if (mode === 'smartmodule') {
    cmd
      .option('--smartmodule <name>', 'a SmartModule registered on the cluster')
      .option('--smartmodule-path <file>', 'a SmartModule .wasm file (sent with the stream request)')
      .option('-e, --param <key=value>', 'SmartModule parameter (repeatable)', collect);
  }
  return cmd;
}

const DESCRIPTIONS: Record<BenchMode, string> = {
  producer: 'produce records as fast as possible; records/s, MB/s, send-to-ack latency',
  consumer: 'replay a topic from the beginning; records/s, MB/s',
  e2e: 'produce at --rate and consume at once; send-to-receive latency',
  smartmodule: 'replay through a SmartModule and plain (each after an untimed warm-up); both throughputs and their ratio',
};

/** `eddy bench graph`: its own options (two topics, a module, a graph definition). */
function registerGraphBench(bench: Command): void {
  const d = GRAPH_BENCH_DEFAULTS;
  bench.command('graph')
    .description('replay a topic plain and through a 5-operator dataflow graph; both throughputs and their ratio')
    .option('--records <n>', 'records in the source topic', d.records)
    .addOption(new Option('--num-records <n>', 'same as --records').hideHelp())
    .option('--record-size <size>', 'bytes per JSON reading', d.recordSize)
    .option('--partitions <n>', 'partitions of the temporary source topic (one graph instance each)', d.partitions)
    .addOption(new Option('--flush <policy>', 'flush policy of the temporary topics').choices([...BENCH_FLUSH]).default(d.flush))
    .option('--wasm-file <file>', 'the bench module (default: examples/graphs/modules/bench, built when stale)')
    .option('--graph-file <file>', 'the graph definition (default: examples/graphs/graph-bench.yaml)')
    .option('--broker-pid <pid>', "the broker's pid, to report its RSS (default: $EDDY_HOME/eddy.pid)")
    .option('--metrics-url <url>', "the broker's /metrics, to report its RSS when the pid is unknown")
    .addOption(new Option('-O, --output <format>', 'report format').choices([...OUTPUT_FORMATS]).default(d.output))
    .option('--no-progress', 'no progress bar')
    .action(async (raw: RawGraphBenchOptions, self: Command) => {
      const endpoint = await resolveEndpoint(globalsOf(self));
      // --records has a default: an explicit --num-records wins over it
      const records = self.getOptionValueSource('records') === 'default' && raw.numRecords !== undefined ? raw.numRecords : raw.records;
      try {
        await graphBenchCommand({ ...raw, records, endpoint }, (text) => process.stdout.write(text + '\n'));
      } catch (err) {
        if (isUnreachable(err)) throw new ClusterUnreachableError(endpoint, systemErrorCode(err));
        throw err;
      }
    });
}

/** Adds `bench` and its five modes to the program. */
export function registerBench(program: Command): Command {
  const bench = program.command('bench').description('measure throughput and latency of a running cluster');
  for (const mode of ['producer', 'consumer', 'e2e', 'smartmodule'] as const) {
    const cmd = withCommonOptions(bench.command(mode).description(DESCRIPTIONS[mode]), mode);
    cmd.action(async (raw: RawBenchOptions, self: Command) => {
      // The cluster is the one every command talks to: --endpoint, --profile, the current profile.
      const endpoint = await resolveEndpoint(globalsOf(self));
      try {
        await benchCommand(mode, { ...raw, endpoint }, (text) => process.stdout.write(text + '\n'));
      } catch (err) {
        if (isUnreachable(err)) throw new ClusterUnreachableError(endpoint, systemErrorCode(err));
        throw err;
      }
    });
  }
  registerGraphBench(bench);
  registerCliBench(bench);
  registerHubBench(bench);
  return bench;
}

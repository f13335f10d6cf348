// The broker's SmartModule runtime: one SmartEngine (sandbox workers, compiled-module cache) and
// the SPU hooks that run chains on streaming fetches and on produce requests.

import type { Logger } from 'pino';
import { EddyError, ErrorCode } from '@eddy/protocol';
import type { SmartModuleInvocation } from '@eddy/protocol';
import { SmartEngine } from '@eddy/smartengine';
import type { SmartModuleLogLine } from '@eddy/smartengine';
import type { FetchTransformFactory, PartitionLeader, ProduceTransform } from '../spu/index.ts';
import { chainFetchTransform } from './fetch_transform.ts';
import type { ChainFetchTransform } from './fetch_transform.ts';
import { logSmartModuleFailure } from './failure_log.ts';
import type { FailureScope } from './failure_log.ts';
import { readLookBack } from './look_back.ts';
import { openChain } from './open_chain.ts';
import type { ResolveWasm } from './open_chain.ts';
import { transformProduced } from './produce_transform.ts';

import { DEFAULT_SMARTMODULE_MEMORY_BYTES, DEFAULT_SMARTMODULE_TIME_BUDGET_MS } from '../defaults.ts';
export { DEFAULT_SMARTMODULE_MEMORY_BYTES, DEFAULT_SMARTMODULE_TIME_BUDGET_MS };

export interface SmartModuleServiceOptions {
  /** Wasm bytes of a SmartModule registered on the cluster (rejects with SmartModuleNotFound). */
  resolveWasm: ResolveWasm;
  /** Linear memory cap per module instance (default 256 MiB). */
  memoryLimitBytes?: number;
  /** Longest one guest call may run (default 1000 ms). */
  timeBudgetMs?: number;
  /** Sandbox worker threads (default: one per core). */
  workers?: number;
  /** Guest stdout/stderr lines go here, tagged with the module name. */
  logger?: Logger;
}

export class SmartModuleService {
  readonly engine: SmartEngine;
  private resolveWasm: ResolveWasm;
  private logger: Logger | undefined;

  constructor(opts: SmartModuleServiceOptions) {
    this.resolveWasm = opts.resolveWasm;
    this.logger = opts.logger;
    const log = opts.logger?.child({ component: 'smartmodule' });
    this.engine = new SmartEngine({
      memoryLimitBytes: opts.memoryLimitBytes ?? DEFAULT_SMARTMODULE_MEMORY_BYTES,
      timeBudgetMs: opts.timeBudgetMs ?? DEFAULT_SMARTMODULE_TIME_BUDGET_MS,
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      logger: (line: SmartModuleLogLine) => {
        if (!log) return;
        const fields = { smartmodule: line.module, chain: line.chain, stream: line.stream };
        if (line.stream === 'stderr') log.warn(fields, line.text);
        else log.info(fields, line.text);
      },
    });
  }

  /** Consumer side: a chain per stream; look-back is read from the partition before streaming. */
  readonly fetchTransformFactory: FetchTransformFactory = async (invocations, ctx) => {
    const chain = await openChain(this.engine, invocations, this.resolveWasm, this.lookBackReader(ctx.leader));
    this.logger?.debug({ topic: ctx.topic, partition: ctx.partition, chain: chain.id, modules: chain.modules.map((m) => m.name) }, 'SmartModule chain opened for a stream');
    const transform = chainFetchTransform(chain, { maxSectionBytes: maxSectionBytes(ctx.leader), log: ctx.leader.log });
    const scope: FailureScope = { side: 'stream', topic: ctx.topic, partition: ctx.partition, chain: chain.id, modules: chain.modules.map((m) => m.name) };
    return this.loggingFailures(transform, scope);
  };

  /** The stream's transform, logging the failure that ends it (once: the stream ends with it). */
  private loggingFailures(transform: ChainFetchTransform, scope: FailureScope): ChainFetchTransform {
    const logger = this.logger;
    if (logger === undefined) return transform;
    let logged = false;
    const once = (err: unknown): void => {
      if (logged) return;
      logged = true;
      logSmartModuleFailure(logger, scope, err);
    };
    return Object.assign(async (batches: Buffer, nextOffset: number, from?: number) => {
      try {
        const out = await transform(batches, nextOffset, from);
        if (out.error) once(out.error);
        return out;
      } catch (err) {
        once(err);
        throw err;
      }
    }, { close: transform.close, ...(transform.read ? { read: transform.read } : {}) });
  }

  /**
   * Producer side: a chain per produce request and partition, closed when its batches are done.
   * `leaderOf` finds the partition's leader (for the topic's codec and look-back).
   */
  produceTransform(leaderOf: (topic: string, partition: number) => PartitionLeader | undefined): ProduceTransform {
    return async (invocations: SmartModuleInvocation[], ctx, batches) => {
      const leader = leaderOf(ctx.topic, ctx.partition);
      if (!leader) throw new EddyError(ErrorCode.UnknownPartition, `topic '${ctx.topic}' has no partition ${ctx.partition} on this SPU`);
      const chain = await openChain(this.engine, invocations, this.resolveWasm, this.lookBackReader(leader));
      try {
        return await transformProduced(chain, batches, leader.wantCompression, maxSectionBytes(leader));
      } catch (err) {
        const scope: FailureScope = { side: 'produce', topic: ctx.topic, partition: ctx.partition, chain: chain.id, modules: chain.modules.map((m) => m.name) };
        logSmartModuleFailure(this.logger, scope, err);
        throw err;
      } finally {
        void chain.close().catch(() => {});
      }
    };
  }

  /** Stops the sandbox workers; pending calls reject. */
  close(): Promise<void> {
    return this.engine.close();
  }

  private lookBackReader(leader: PartitionLeader) {
    // Look-back goes into the module's memory: keep it well inside the cap.
    const maxBytes = Math.max(64 * 1024, Math.floor(this.engine.memoryLimitBytes / 4));
    return (want: { last?: number; ageMs?: number }) => readLookBack(leader.log, want, maxBytes);
  }
}

/** Decompressed size accepted for one stored batch (same guard as recompression). */
function maxSectionBytes(leader: PartitionLeader): number {
  return Math.max(leader.config.maxRecordBytes * 4, 16 * 1024 * 1024);
}

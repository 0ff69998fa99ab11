import type { InputFormat } from '../da/graph.js';
import { StreamComparer } from './compare.js';
import type { CompareResult } from './compare.js';
import type { Reference } from './reference.js';
import { testVectorBlocks } from './vectors.js';

/**
 * A simulation run block by block: the test vectors are made, simulated and compared one block
 * at a time, so memory grows with the block, not with the number of vectors.
 */

/** Vectors per block unless asked otherwise: big enough that per-block costs vanish, small enough to stay in cache-sized memory. */
export const DEFAULT_BLOCK_SIZE = 4096;

/** A simulation that keeps its state from one block to the next (a netlist or Yosys-JSON stream). */
export type BlockRun = (vectors: readonly (readonly bigint[])[]) => readonly (readonly bigint[] | null)[];

export interface StreamedRun {
  /** The inputs: `count` vectors of `testVectors(nIn, input, count, seed)`. */
  nIn: number;
  input: InputFormat;
  count: number;
  seed: number;
  latency: number;
  reference: Reference;
  /** Vectors per block (DEFAULT_BLOCK_SIZE). */
  blockSize?: number;
  /** Called after each block with the vectors done so far. */
  onBlock?: (done: number) => void;
}

/** `latency` zero vectors: what `withFlush` appends, so that the last vector reaches the outputs. */
export function flushVectors(nIn: number, latency: number): bigint[][] {
  return Array.from({ length: latency }, () => new Array<bigint>(nIn).fill(0n));
}

/**
 * Drive the test vectors through `run` block by block, then the flush, comparing the outputs
 * with the reference as they come: the same result as `compareWithReference` over
 * `run(withFlush(testVectors(…)))` in one piece.
 */
export function runStreamed(run: BlockRun, s: StreamedRun): CompareResult {
  const cmp = new StreamComparer(s.reference, s.latency);
  for (const block of testVectorBlocks(s.nIn, s.input, s.count, s.seed, s.blockSize ?? DEFAULT_BLOCK_SIZE)) {
    cmp.apply(block);
    cmp.sample(run(block));
    s.onBlock?.(cmp.vectors);
  }
  if (s.latency > 0) cmp.sample(run(flushVectors(s.nIn, s.latency)));
  return cmp.result();
}

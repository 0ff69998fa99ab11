// Types of bench/property-gen.mjs, for the CI test that imports it (test/property/designs.test.ts).

export const KINDS: readonly string[];
export const PATTERNS: readonly string[];
export const LAYER_KINDS: readonly string[];
export const ACTIVATIONS: readonly string[];
export const TABLE_FUNCTIONS: readonly string[];
export const ROUNDINGS: readonly string[];
export const OVERFLOWS: readonly string[];
export const DEFAULT_VECTORS: number;
export const COLUMN_WEIGHT_BITS: number;

/** da-gen's public API (src/index.ts or dist/index.js), as far as the generator uses it. */
export type Lib = typeof import('../src/index.js');

export interface DesignOptions {
  latency: number;
  depthSlack: number;
  cost: 'adders' | 'bits';
  effort?: number;
  arith?: 'shift-add' | 'table' | 'auto';
  lutInputs?: number;
}

export interface Design {
  index: number;
  kind: string;
  pattern: string;
  layers: number;
  /** The input file, with BigInt weights. */
  doc: Record<string, unknown> & { input: { width: number; signed?: boolean; bipolar?: boolean; shape?: number[] } };
  options: DesignOptions;
  vectors: number;
  vectorSeed: number;
}

export interface Failure {
  stage: string;
  message: string;
  command: string;
  file: string;
  text: string;
}

export interface DesignCheck {
  vectors: number;
  yosysVectors: number;
  icarusVectors: number;
  failure: Failure | null;
}

export function designSeed(seed: number, index: number): number;
export function randomDesign(lib: Lib, seed: number, index: number, o?: { vectors?: number; wideColumns?: boolean; kind?: string }): Design;
export function designFile(seed: number, d: Design): string;
export function reproduceCommand(seed: number, d: Design, command?: string): string;
export function designText(d: Design, comment?: string): string;
export function failureOf(seed: number, d: Design, stage: string, message: string): Failure;
export function checkDesign(
  lib: Lib,
  seed: number,
  d: Design,
  o?: {
    yosys?: boolean;
    icarus?: boolean;
    reference?: (ref: import('../src/index.js').Reference) => import('../src/index.js').Reference;
    outputs?: (ys: (bigint[] | null)[]) => (bigint[] | null)[];
  },
): Promise<DesignCheck>;
export function yosysSampled(index: number, every: number): boolean;

/**
 * The report format: one JSON document per design, describing the generated arithmetic and what
 * each synthesis / place-and-route target made of it. Key order is fixed (see `reportJsonText`),
 * so the same inputs always give byte-identical reports.
 */
export const REPORT_SCHEMA = 'da-gen-report/1';

/** The two designs a target can be run on. */
export const REPORT_DESIGNS = ['da-gen', 'baseline'] as const;
export type ReportDesign = (typeof REPORT_DESIGNS)[number];

export interface Report {
  schema: typeof REPORT_SCHEMA;
  /** "da-gen 0.1.0" */
  generator: string;
  design: {
    module: string;
    /** "16x12": outputs × inputs. */
    shape: string;
    inputs: number;
    input_width: number;
    input_signed: boolean;
    outputs: number;
    output_width: number;
    output_signed: boolean;
    /** Register ranks from x to y. */
    latency: number;
  };
  arithmetic: {
    adders: number;
    /** The no-sharing CSD adder count. */
    naive_adders: number;
    /** Σ over adders of their result width in bits. */
    adder_bits: number;
    adder_depth: number;
    /** The depth bound the optimizer kept to; null when unbounded. */
    depth_bound: number | null;
    /** Adder levels in each register stage (from the netlist's cuts); [adder_depth] when latency is 0. */
    stage_depths: number[];
    register_bits: number;
  };
  /**
   * Cells each FPGA family's synthesis is estimated to give (the manifest's estimated_cells), by
   * family; absent in reports written before there were estimates.
   */
  estimates?: Record<string, Record<string, number>>;
  /** For a network: its layers and score (absent for a single matrix). */
  network?: ReportNetwork;
  targets: TargetResult[];
  /** Tool name → version, e.g. { yosys: "0.55.944 (WebAssembly)" }; keys sorted. */
  tools: Record<string, string>;
}

export interface TargetResult {
  /** "generic", "ice40-up5k", "ice40-hx8k", "ice40-hx1k", "ecp5-25k", "ecp5-85k", … */
  target: string;
  /** baseline = the hand-written y = Σ W*x with the same registers. */
  design: ReportDesign;
  /** e.g. "synth_ice40 -nodsp; nextpnr-ice40 --up5k --package sg48 --seed 1" */
  flow: string;
  /** The core's Yosys cell counts (keys sorted). */
  cells: Record<string, number>;
  luts: number | null;
  carries: number | null;
  ffs: number | null;
  bram: number;
  dsp: number;
  /** The estimate of luts, carries and ffs made without synthesis, beside the counts (da-gen designs); null when there is none. */
  estimate: { luts: number | null; carries: number | null; ffs: number | null } | null;
  /** The place-and-route wrapper's cells, reported apart from the core's; null when there is none. */
  wrapper_cells: Record<string, number> | null;
  /** e.g. "nextpnr-ice40 (WebAssembly)"; null when no place and route was run. */
  place_and_route: string | null;
  fmax_mhz: number | null;
  clock_mhz: number;
  /** fmax_mhz ≥ clock_mhz; null when Fmax is unknown. */
  timing_met: boolean | null;
  /** latency (cycles) × period at Fmax; null when Fmax is unknown. */
  latency_ns_at_fmax: number | null;
  /** latency (cycles) × period at clock_mhz. */
  latency_ns_at_clock: number;
  /** (luts + carries) / adder_bits for da-gen designs; null for baselines or when LUTs are unknown. */
  lut_carry_per_adder_bit: number | null;
  /** e.g. "routing did not converge within 120 s" */
  note: string | null;
}

/** The fields `targetResult` derives; everything else is measured. */
export type DerivedTargetField = 'timing_met' | 'latency_ns_at_fmax' | 'latency_ns_at_clock' | 'lut_carry_per_adder_bit';

export interface ReportLayer {
  /** The layer's kind ("dense", "conv2d", …); reports before layer kinds had dense layers only. */
  kind: string;
  /** Output shape, e.g. "9×7×4". */
  shape: string;
  /** conv "per-position" or "toeplitz", batchnorm "folded" or "shift-add", dense "table" or "shift-add" when its tables were weighed, else null. */
  strategy: string | null;
  /** The forms weighed, in words, with their adders (and cells for a dense layer): why `strategy` was kept. Empty when none. */
  forms: string[];
  inputs: number;
  outputs: number;
  /** Adders of the layer's matrix. */
  adders: number;
  bias: boolean;
  activation: string;
  /** The right shift, or per channel when the channels differ: "3..7 per channel". */
  shift: number | string;
  rounding: string;
  /** "8-bit unsigned, saturate", per channel "per channel 4..8-bit signed, wrap", or null (full precision). */
  output: string | null;
  /** Fractional bits of the weights and of the layer's input, to map results back to reals. */
  weight_frac_bits: number | null;
  input_frac_bits: number | null;
}

export interface ReportNetwork {
  layers: ReportLayer[];
  /** "sum_of_squares", or null without a score. */
  score: string | null;
  score_width: number | null;
  /** How the squares are built ("lookup table", "shift-and-add"), or null. */
  squares: string | null;
}

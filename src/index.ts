/**
 * da-gen's public API: everything the `da-gen` command does, as functions. Names not listed
 * here are internal and may change between versions.
 */

// Errors: every error da-gen raises on purpose, and the exit code each carries.
export { DaGenError, InputError, SpecError, UsageError, LimitError, ToolError, EXIT_OK, EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_TOOL } from './errors.js';
export { VERSION } from './version.js';

// Input: a weights or layers file → a validated Spec (every design is a list of layers).
export {
  parseSpec,
  MIN_INPUT_WIDTH,
  MAX_INPUT_WIDTH,
  MAX_DIMENSION,
  MAX_LAYERS,
  MAX_ELEMENTS,
  MAX_WINDOW,
  MAX_STRIDE,
  MAX_DILATION,
  MAX_TABLE_INPUT_WIDTH,
  LAYER_KINDS,
  ACTIVATIONS,
} from './spec/parse.js';
export { TABLE_FUNCTIONS } from './spec/tables.js';
export { describeSpec, inputCount, matrixSpec, shapeSize } from './spec/spec.js';
export type {
  Spec,
  Layer,
  LayerKind,
  DenseLayer,
  ConvLayer,
  BatchNormLayer,
  PoolLayer,
  FlattenLayer,
  TableLayer,
  ArgmaxLayer,
  PostOps,
  InputSpec,
  LayerOutput,
  Activation,
  Rounding,
  Overflow,
  Padding,
  Score,
  SpecSummary,
} from './spec/spec.js';

// Compiling: Spec → graph → netlist → Verilog text and manifest.
export { compile } from './flows/compile.js';
export type { CompileOptions, CompileResult } from './flows/compile.js';
export { DEFAULT_LATENCY, MAX_LATENCY, flattenNetlist } from './rtl/netlist.js';
export type { Netlist, NetSignal, Ports, Block, BlockPort } from './rtl/netlist.js';
export type { LoweredNetlist } from './rtl/lower.js';
export type { Manifest, ManifestLayer } from './rtl/manifest.js';
export { DEFAULT_DEPTH_SLACK } from './da/cmvm.js';
export { TOEPLITZ_MAX_ENTRIES } from './da/network.js';
// lookup tables for narrow inputs (CompileOptions.arith, .lutInputs): the forms, the default LUT size, and the cost model's constants
export { ARITH_MODES, DEFAULT_ARITH, DEFAULT_LUT_INPUTS, MAX_LUT_INPUTS, ADDER_CELLS_PER_BIT, AUTO_MARGIN } from './da/lut-da.js';
export type { Arith } from './da/lut-da.js';
export type { LayerStats } from './da/network.js';
export type { AttemptReport, OptimizeStats } from './da/cmvm.js';
export { evaluateNetworkGraph } from './da/graph.js';
export type { NetworkGraph, NetNode, KernelDef } from './da/graph.js';
export { csd } from './da/csd.js';

// Importing trained models (Keras 2/3 with QKeras and HGQ, ONNX and QONNX) into the layers
// format, bit-exactly; the imported model graph and its independent float64 forward pass.
export { importModel, readModelGraph, modelKind, isModelPath, layersText, MODEL_EXTENSIONS } from './import/index.js';
export type { ImportOptions, ImportReport, ImportReportLayer, ImportResult, ModelKind } from './import/api.js';
export { forwardModel, forwardTrace } from './import/forward.js';
export { importReportMarkdown, importReportLines } from './import/report.js';
export { parseFixed, fixedText } from './import/fixed.js';
export type { ModelGraph, ModelOp, FixedFormat, QRounding, QOverflow } from './import/ir.js';

// Verifying: the netlist simulator against the reference model, and the emitted text read by
// Yosys (and Icarus, where installed).
export { simulateSpec, checkText, simulateInIcarus } from './flows/verify.js';
export { runDataset, defaultInputFormat } from './flows/run.js';
export type { RunOptions, RunSink, RunSummary } from './flows/run.js';
export { openDataset, datasetFormat, npyHeader } from './flows/dataset.js';
export type { DatasetReader, EventBlock } from './flows/dataset.js';
export type { SimulateOptions, SimulateResult, TextCheck } from './flows/verify.js';
// check --prove: the module equals the hand-written W*x for all inputs (linear forms, then Yosys SAT)
export { proveEquivalence, checkProveOptions, DEFAULT_SAT_SECONDS } from './flows/prove.js';
export type { ProveOptions, ProofResult, Counterexample } from './flows/prove.js';
export { linearForms } from './sim/linear-proof.js';
export type { Form, LinearResult } from './sim/linear-proof.js';
export { compileNetlist } from './sim/netlist-sim.js';
export { compileNetlistWasm, simulatorFor, WASM_BATCH } from './sim/wasm-sim.js';
export type { FastNetlistSim, TypedStream } from './sim/wasm-sim.js';
export type { NetlistSim } from './sim/netlist-sim.js';
export { referenceOf, matVec } from './sim/reference.js';
export type { Reference } from './sim/reference.js';
export { Rng, testVectors } from './sim/vectors.js';
export { compareWithReference, withFlush } from './sim/compare.js';
export type { CompareResult, Mismatch } from './sim/compare.js';

// Synthesis, place and route, and --latency auto, for the FPGA families in src/platform.
export { compileDesign, reportDesign } from './flows/generate.js';
export type { Design, DesignOptions, ReportOptions } from './flows/generate.js';
export { synthesizeTargets, DEFAULT_CLOCK_MHZ } from './flows/synthesize.js';
export type { SynthesizeOptions } from './flows/synthesize.js';
export { chooseLatency } from './flows/auto-latency.js';
export type { LatencyChoice } from './flows/auto-latency.js';
export { FAMILIES, targetNames } from './platform/index.js';
export type { Family, Target } from './platform/family.js';
// Cell estimates without synthesis: the netlist's logic profile, mapped by each family.
export { estimateCells } from './platform/index.js';
export { logicProfile } from './rtl/profile.js';
export type { LogicProfile } from './rtl/profile.js';
export type { Progress } from './flows/progress.js';

// Boards: the core in a self-test, built into a bitstream for a board.
export { buildForBoard } from './flows/board-build.js';
export type { BuildOptions, BuildResult } from './flows/board-build.js';
export { loadBoard, loadBoards, boardsTable } from './flows/boards.js';
export { boardNames } from './boards/index.js';
export type { Board } from './boards/board.js';

// Reports: JSON and Markdown, and the comparison of two for a pull request.
export { reportJsonText } from './report/build.js';
export { parseReport } from './report/parse.js';
export { reportMarkdown } from './report/markdown.js';
export { compareReports } from './report/compare.js';
export type { Report, TargetResult } from './report/schema.js';

// Tools: how da-gen finds and runs Yosys, nextpnr, Icarus (environment variable, WebAssembly, PATH).
export { findTool, DEFAULT_TIMEOUT_SECONDS } from './toolchain/tool.js';
export type { Tool, ToolName } from './toolchain/tool.js';

// The command line, callable in-process: resolves to the exit code.
export { main } from './cli/main.js';

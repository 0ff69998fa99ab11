import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_DEPTH_SLACK } from '../da/cmvm.js';
import { CONV_STRATEGIES } from '../da/network.js';
import { ARITH_MODES, DEFAULT_ARITH, DEFAULT_LUT_INPUTS, MAX_LUT_INPUTS } from '../da/lut-da.js';
import type { Arith } from '../da/lut-da.js';
import type { ConvStrategy } from '../da/network.js';
import type { CompileOptions } from '../flows/compile.js';
import { targetNames } from '../platform/index.js';
import { DEFAULT_LATENCY, MAX_LATENCY } from '../rtl/netlist.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../toolchain/tool.js';
import { UsageError } from '../errors.js';

/** Option parsers and the option groups several commands share. */

export function intOption(name: string, lo: number, hi: number) {
  return (value: string): number => {
    if (!/^-?[0-9]+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be an integer from ${lo} to ${hi}.`);
    const n = Number(value);
    if (n < lo || n > hi) throw new InvalidArgumentError(`${name} must be an integer from ${lo} to ${hi}.`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(value.trim()) || !(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

export function targetList(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!targetNames().includes(n)) throw new InvalidArgumentError(`unknown target "${n}"; expected one of ${targetNames().join(', ')}.`);
  }
  return [...previous, ...names];
}

/** The options that shape the design, as commander gives them. */
export interface DesignOpts {
  latency: number | 'auto';
  depthSlack: number;
  cost: 'adders' | 'bits';
  effort?: number;
  conv: ConvStrategy;
  arith: Arith;
  lutInputs: number;
}

/** --latency, --depth-slack, --cost, --effort. */
export function designOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-l, --latency <L>', `register ranks from x to y, 0 (combinational) to ${MAX_LATENCY}; "auto" (generate with a --target that can be placed and routed): the fewest that meet --clock-mhz`)
        .default(DEFAULT_LATENCY)
        .argParser((v: string): number | 'auto' => (v.trim() === 'auto' ? 'auto' : intOption('--latency', 0, MAX_LATENCY)(v))),
    )
    .addOption(new Option('--dc, --depth-slack <k>', 'adder levels allowed above the minimum depth (-1: unbounded)').default(DEFAULT_DEPTH_SLACK).argParser(intOption('--depth-slack', -1, 64)))
    .addOption(new Option('--cost <model>', 'minimise the number of adders, or the sum of adder result bits').choices(['adders', 'bits']).default('adders'))
    .addOption(new Option('--effort <n>', 'search attempts, the best is kept (default: by matrix size, 1 to 16)').argParser(intOption('--effort', 1, 1000)))
    .addOption(
      new Option('--conv <form>', 'convolutions: the kernel per output position, one Toeplitz matrix for the layer (when small), or auto: the one with fewer adders')
        .choices([...CONV_STRATEGIES])
        .default('auto'),
    )
    .addOption(
      new Option('--arith <form>', 'dense layers over narrow inputs: lookup tables of input groups (LUT-based distributed arithmetic), shift-add only, or auto: the one with fewer cells')
        .choices([...ARITH_MODES])
        .default(DEFAULT_ARITH),
    )
    .addOption(new Option('--lut-inputs <K>', "the most address bits of a table: the LUT's inputs (4: iCE40, ECP5; 6: Xilinx)").default(DEFAULT_LUT_INPUTS).argParser(intOption('--lut-inputs', 2, MAX_LUT_INPUTS)));
}

/** --seed (nextpnr) and --timeout. */
export function toolOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--seed <n>', 'nextpnr seed').default(1).argParser(intOption('--seed', 0, 2 ** 31 - 1)))
    .addOption(new Option('--timeout <s>', 'time limit of each tool run, in seconds').default(DEFAULT_TIMEOUT_SECONDS).argParser(intOption('--timeout', 1, 86400)));
}

/** The compile options of a fixed latency (`auto` is for generate with a target only). */
export function compileOptions(o: DesignOpts, log?: (line: string) => void): CompileOptions & { latency: number } {
  if (o.latency === 'auto') throw new UsageError('--latency auto is only for generating with a --target whose part can be placed and routed here');
  return { latency: o.latency, ...designOnly(o), ...(log ? { log } : {}) };
}

/** The design options other than the latency. */
export function designOnly(o: DesignOpts): Omit<CompileOptions, 'latency' | 'log'> {
  return {
    depthSlack: o.depthSlack,
    cost: o.cost,
    ...(o.effort !== undefined ? { effort: o.effort } : {}),
    ...(o.conv !== 'auto' ? { conv: o.conv } : {}),
    ...(o.arith !== DEFAULT_ARITH ? { arith: o.arith } : {}),
    ...(o.lutInputs !== DEFAULT_LUT_INPUTS ? { lutInputs: o.lutInputs } : {}),
  };
}

/** The options of a model file (a trained model imported on the fly, or by `da-gen import`). */
export interface ModelOpts {
  weights?: string;
  input?: string;
  precision?: string[];
  softmax?: 'refuse' | 'argmax' | 'drop';
  name?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** --weights, --input, --precision, --softmax, --name: how a model file is imported. */
export function modelOptions(cmd: Command): Command {
  return cmd
    .option('--weights <file.h5>', 'model files: the HDF5 weights of a Keras architecture JSON (default: <name>_weights.h5 beside it)')
    .option('--input <fixed<W,I>>', "model files: the input's fixed-point format, fixed<W,I> or ufixed<W,I> (default: the model's own input quantizer)")
    .option('--precision <fixed<W,I>|NAME=fixed<W,I>>', 'model files: the precision of float layers (weights, bias, result), for all, or NAME=… for one layer; repeatable', collect)
    .addOption(new Option('--softmax <mode>', 'model files: a final softmax becomes argmax (y is the index of the largest logit) or is dropped (y is the logits)').choices(['argmax', 'drop']))
    .option('--name <module>', 'model files: the Verilog module name (default: from the file name)');
}

/** Whether any model option was given (they are refused with a layers file). */
export function modelOptionsGiven(o: ModelOpts): string[] {
  return (
    [
      ['weights', '--weights'],
      ['input', '--input'],
      ['precision', '--precision'],
      ['softmax', '--softmax'],
      ['name', '--name'],
    ] as const
  )
    .filter(([k]) => o[k] !== undefined)
    .map(([, f]) => f);
}

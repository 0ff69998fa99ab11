import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { icarusAvailable, runIcarus } from '../../src/toolchain/icarus.js';
import { haveTool } from '../helpers/tools.js';
import { restoreEnvAfterEach } from '../helpers/env.js';

const icarus = haveTool('iverilog', ['-V']);

restoreEnvAfterEach();

// reads two words with $readmemh, prints their sum, and writes it to a file
const ADDER = `module t;
  reg [7:0] m [0:1];
  integer f;
  initial begin
    $readmemh("in.hex", m);
    $display("sum=%0d", m[0] + m[1]);
    f = $fopen("out.txt", "w");
    $fwrite(f, "%h\\n", m[0] + m[1]);
    $fclose(f);
    $finish;
  end
endmodule
`;

describe.runIf(icarus)('runIcarus', () => {
  it('is available', () => {
    expect(icarusAvailable()).toBe(true);
  });

  it('returns what $display prints and the files the simulation writes', async () => {
    const r = await runIcarus('a test', { 't.v': ADDER }, { 'in.hex': '0c\n1e\n' }, ['out.txt']);
    expect(r.stdout).toMatch(/^sum=42$/m);
    expect(r.files).toEqual({ 'out.txt': '2a\n' });
  });

  it('a syntax error is a ToolError naming iverilog with the first lines of its complaint', async () => {
    let err: unknown;
    try {
      await runIcarus('a test', { 'broken.v': 'module broken(;\nendmodule\n' }, {}, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ToolError);
    const e = err as ToolError;
    expect(e.tool).toBe('iverilog');
    expect(e.message).toMatch(/^a test: iverilog rejected the Verilog: /);
    expect(e.message).toMatch(/broken\.v:1: syntax error/);
    // one line, at most three of the complaint's
    expect(e.message).not.toContain('\n');
    expect(e.message.split(' / ').length).toBeLessThanOrEqual(3);
    expect(e.log).toMatch(/syntax error/);
  });

  it('an output the simulation does not write is a ToolError naming vvp', async () => {
    const run = runIcarus('a test', { 't.v': 'module t; initial $finish; endmodule\n' }, {}, ['never.txt']);
    await expect(run).rejects.toBeInstanceOf(ToolError);
    await expect(run).rejects.toMatchObject({ tool: 'vvp', message: 'a test: the simulation wrote no never.txt' });
  });

  it('without iverilog, a ToolError saying how to install it', async () => {
    process.env['PATH'] = '/nonexistent';
    expect(icarusAvailable()).toBe(false);
    await expect(runIcarus('simulating the Verilog', { 't.v': ADDER }, {}, [])).rejects.toThrow(/^simulating the Verilog needs iverilog, which is not installed: install Icarus Verilog/);
  });
});

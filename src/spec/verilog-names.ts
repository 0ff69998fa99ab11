/**
 * Reserved words of Verilog-2005 (IEEE 1364-2005) and SystemVerilog (IEEE 1800-2017).
 * A module name must be none of them, so that the emitted file reads the same in every
 * front end, whichever language mode it is in.
 */
const RESERVED = `
accept_on alias always always_comb always_ff always_latch and assert assign assume automatic
before begin bind bins binsof bit break buf bufif0 bufif1 byte case casex casez cell chandle
checker class clocking cmos config const constraint context continue cover covergroup coverpoint
cross deassign default defparam design disable dist do edge else end endcase endchecker endclass
endclocking endconfig endfunction endgenerate endgroup endinterface endmodule endpackage
endprimitive endprogram endproperty endspecify endsequence endtable endtask enum event eventually
expect export extends extern final first_match for force foreach forever fork forkjoin function
generate genvar global highz0 highz1 if iff ifnone ignore_bins illegal_bins implements implies
import incdir include initial inout input inside instance int integer interconnect interface
intersect join join_any join_none large let liblist library local localparam logic longint
macromodule matches medium modport module nand negedge nettype new nexttime nmos nor
noshowcancelled not notif0 notif1 null or output package packed parameter pmos posedge primitive
priority program property protected pull0 pull1 pulldown pullup pulsestyle_ondetect
pulsestyle_onevent pure rand randc randcase randsequence rcmos real realtime ref reg reject_on
release repeat restrict return rnmos rpmos rtran rtranif0 rtranif1 s_always s_eventually
s_nexttime s_until s_until_with scalared sequence shortint shortreal showcancelled signed small
soft solve specify specparam static string strong strong0 strong1 struct super supply0 supply1
sync_accept_on sync_reject_on table tagged task this throughout time timeprecision timeunit tran
tranif0 tranif1 tri tri0 tri1 triand trior trireg type typedef union unique unique0 unsigned until
until_with untyped use uwire var vectored virtual void wait wait_order wand weak weak0 weak1 while
wildcard wire with within wor xnor xor
`;

export const VERILOG_KEYWORDS: ReadonlySet<string> = new Set(RESERVED.split(/\s+/).filter((w) => w !== ''));

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The modules da-gen writes beside a core named M are M_add (the adder), M_baseline (the
 * hand-written W*x) and M_kernel0, M_kernel1, … (convolution kernels).
 */
export const DERIVED_SUFFIXES: readonly string[] = ['_add', '_baseline'];
const KERNEL_SUFFIX = /_kernel[0-9]+$/;

/** Why `name` cannot be a module name, or null when it can. */
export function moduleNameProblem(name: string): string | null {
  if (!IDENT.test(name)) {
    return `expected a Verilog identifier matching [A-Za-z_][A-Za-z0-9_]*, got ${JSON.stringify(name)}`;
  }
  if (VERILOG_KEYWORDS.has(name)) {
    return `${JSON.stringify(name)} is a Verilog keyword; choose another module name`;
  }
  if (name.length > 128) {
    return `expected at most 128 characters, got ${name.length}`;
  }
  if (/^da_gen_/i.test(name) || name === 'tb') {
    return `${JSON.stringify(name)} is reserved for the modules da-gen writes around the core (names beginning with "da_gen_", and "tb"); choose another module name`;
  }
  const kernel = KERNEL_SUFFIX.exec(name);
  const suffix = kernel !== null && kernel.index > 0 ? kernel[0] : DERIVED_SUFFIXES.find((s) => name.endsWith(s) && name.length > s.length);
  if (suffix !== undefined) {
    return `${JSON.stringify(name)} ends in "${suffix}", the suffix of a module da-gen derives from a core's name (the core "${name.slice(0, -suffix.length)}" has one named so); choose another module name`;
  }
  return null;
}

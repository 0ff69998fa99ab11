/** da-gen's version, printed in every emitted file's header (kept equal to package.json's by a test). */
export const VERSION = '0.1.0';

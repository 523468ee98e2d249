// Bundles the extension into one ES module that OHIF 3.13 loads at run time with import().
// Nothing from the host (React, Cornerstone, OHIF) is imported: the code reaches the host's own
// instances through OHIF's services at run time, so the bundle has no external imports at all.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/ohif-sam2-extension.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  sourcemap: true,
  minify: false,
  legalComments: 'none',
  logLevel: 'info',
});

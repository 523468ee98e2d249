// Bundles the mode into one ES module that OHIF 3.13 loads at run time with import().
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/ohif-sam2-mode.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  sourcemap: true,
  minify: false,
  legalComments: 'none',
  logLevel: 'info',
});

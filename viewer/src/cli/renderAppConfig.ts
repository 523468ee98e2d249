/**
 * Writes the viewer's app-config.js from the environment, exactly as the viewer server generates it, for
 * deployments that serve the files with another web server (docker/nginx/30-ohif-sam2-app-config.sh).
 *   node viewer/dist/src/cli/renderAppConfig.js [--out FILE]     (stdout without --out)
 */
import { writeFileSync } from 'node:fs';
import { renderAppConfig } from '../appConfig';
import { loadConfig } from '../config';
import { appConfigOptions, bundleFiles } from '../viewerAppConfig';

function main(): void {
  const args = process.argv.slice(2);
  const valid = args.length === 0 || (args.length === 2 && args[0] === '--out' && args[1] !== '');
  if (!valid) throw new Error('usage: renderAppConfig [--out FILE]');
  const out = args[1] as string | undefined;
  const config = loadConfig();
  const options = appConfigOptions(config);
  const files = bundleFiles(config);
  if (options.extensionUrls.length === 0) console.error(`warning: ${files.extension} missing, not listed`);
  if (options.modeUrls.length === 0) console.error(`warning: ${files.mode} missing, not listed`);
  const text = renderAppConfig(options);
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

try {
  main();
} catch (error) {
  console.error(`renderAppConfig failed: ${(error as Error).message}`);
  process.exit(1);
}

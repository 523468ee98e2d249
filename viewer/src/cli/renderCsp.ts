/**
 * Prints the viewer's Content-Security-Policy header value (http/contentSecurityPolicy.ts) for the
 * viewer image's nginx: docker/nginx/15-ohif-sam2-csp.envsh runs it at container start.
 * Reads OHIF_DIST_DIR (its index.html), DICOMWEB_URL and VIEWER_FRAME_ANCESTORS; exits 1 with a message
 * when one is wrong.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { contentSecurityPolicy } from '../http/contentSecurityPolicy';

try {
  const config = loadConfig();
  if (!config.ohifDistDir) throw new Error('OHIF_DIST_DIR is not set');
  process.stdout.write(
    contentSecurityPolicy({
      indexHtml: readFileSync(path.join(config.ohifDistDir, 'index.html'), 'utf8'),
      dicomwebUrl: config.dicomwebUrl,
      frameAncestors: config.frameAncestors,
    }),
  );
} catch (error) {
  console.error(`renderCsp: ${(error as Error).message}`);
  process.exit(1);
}

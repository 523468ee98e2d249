import { createHash } from 'node:crypto';
import { loadConfig } from '../src/config';
import { startInProcessViewer } from './helpers/inProcessViewer';

/** Directive name -> sources of a policy. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('viewer Content-Security-Policy', () => {
  it('is sent on the page, files and API answers; frames only from itself and VIEWER_FRAME_ANCESTORS', async () => {
    const viewer = await startInProcessViewer({
      SAM2_SERVICE_URL: 'http://127.0.0.1:9',
      DICOMWEB_URL: 'https://pacs.example.org:8443/dicom-web',
      VIEWER_FRAME_ANCESTORS: 'https://ris.example.org, https://*.portal.example.org',
    });
    try {
      const page = await fetch(`${viewer.url}/local`);
      const policy = directives(page.headers.get('content-security-policy')!);
      expect(policy.get('frame-ancestors')).toEqual([
        "'self'",
        'https://ris.example.org',
        'https://*.portal.example.org',
      ]);
      expect(policy.get('object-src')).toEqual(["'none'"]);
      expect(policy.get('connect-src')).toContain('https://pacs.example.org:8443');

      // The inline scripts of the page the browser gets are allowed by hash (hashed here from the body).
      const html = await page.text();
      const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
        (m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`,
      );
      expect(inline.length).toBeGreaterThan(0);
      expect(policy.get('script-src')).toEqual(expect.arrayContaining(inline));
      expect(policy.get('script-src')).not.toContain("'unsafe-inline'");

      for (const url of ['/app-config.js', '/api/segmentation/readyz', '/nope.js']) {
        const res = await fetch(`${viewer.url}${url}`);
        expect([url, res.headers.get('content-security-policy')]).toEqual([
          url,
          expect.stringContaining('frame-ancestors'),
        ]);
      }
    } finally {
      await viewer.close();
    }
  });

  it('refuses a frame ancestor that is not an origin', () => {
    expect(() => loadConfig({ VIEWER_FRAME_ANCESTORS: "https://ris.example.org 'unsafe-inline'" })).toThrow(
      /VIEWER_FRAME_ANCESTORS: "'unsafe-inline'" is not an origin/,
    );
    expect(loadConfig({}).frameAncestors).toEqual([]);
  });
});

#!/usr/bin/env node
/**
 * Container health check without curl: `node docker/scripts/healthcheck.js [url]`.
 *
 * Default url: the SAM2 service's readiness probe, http://127.0.0.1:$SAM2_PORT/readyz (port 5005 when unset).
 * Exit 0 (healthy) when the answer is 2xx, or when it is /readyz's 503 with `"state": "disabled"`:
 * SAM2_ENABLED=false is a deliberate configuration (the rollback switch), not a failure. Anything else
 * (503 loading/unavailable, other statuses, no answer within 4 s) exits 1 with one line saying why.
 */
'use strict';

const http = require('node:http');

const url = process.argv[2] || `http://127.0.0.1:${process.env.SAM2_PORT || 5005}/readyz`;

function done(code, message) {
  (code === 0 ? process.stdout : process.stderr).write(`${message}\n`);
  process.exit(code);
}

const request = http.get(url, { timeout: 4000 }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => {
    if (body.length < 65536) body += chunk;
  });
  res.on('end', () => {
    const status = res.statusCode || 0;
    if (status >= 200 && status < 300) return done(0, `healthy: ${url} answered ${status}`);
    let state;
    try {
      state = JSON.parse(body).state;
    } catch {
      state = undefined;
    }
    if (status === 503 && state === 'disabled') {
      return done(0, `healthy: ${url} answered 503 state=disabled (SAM2_ENABLED=false)`);
    }
    return done(1, `unhealthy: ${url} answered ${status}${state ? ` state=${state}` : ''}`);
  });
});
request.on('timeout', () => request.destroy(new Error('no answer within 4 s')));
request.on('error', (error) => done(1, `unhealthy: ${url}: ${error.message}`));

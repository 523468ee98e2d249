/**
 * docker/prometheus/: alert rules checked and unit-tested by promtool (Debian's prometheus package), the
 * scrape configuration checked, and every metric the rules use checked against the service's own.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deployFiles, describeWithTools, findTool, parseYaml, repoRoot } from './helpers';

const alertsText = readFileSync(deployFiles.alerts, 'utf8');

function promtool(...args: string[]): { code: number; output: string } {
  const result = spawnSync(findTool('promtool')!, args, {
    cwd: path.dirname(deployFiles.alerts),
    encoding: 'utf8',
  });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe('alert rules use the metrics the service exports', () => {
  const metricsSource = readFileSync(path.join(repoRoot, 'sam2-service', 'src', 'metrics.ts'), 'utf8');
  const exported = new Set([...metricsSource.matchAll(/name: '(sam2_[a-z_]+)'/g)].map((m) => m[1]));
  const apiDoc = readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');

  it('names only existing metrics (histograms by their _bucket series)', () => {
    const used = [...new Set([...alertsText.matchAll(/\b(sam2_[a-z_]+)\{/g)].map((m) => m[1]))];
    expect(used.sort()).toEqual(
      [
        'sam2_http_requests_total',
        'sam2_queue_depth',
        'sam2_request_duration_seconds_bucket',
        'sam2_worker_restarts_total',
      ].sort(),
    );
    for (const name of used) {
      const base = name.replace(/_bucket$/, '');
      expect([name, exported.has(base)]).toEqual([name, true]);
      expect([name, apiDoc.includes(`\`${base}\``)]).toEqual([name, true]);
    }
  });

  it('counts only the segmentation route for the error rate (probes answer 503 while disabled)', () => {
    expect(alertsText).toContain('route="/api/segmentation/sam2"');
    expect(readFileSync(path.join(repoRoot, 'sam2-service', 'src', 'http', 'routes.ts'), 'utf8')).toContain(
      "'/api/segmentation/sam2'",
    );
  });
});

describeWithTools('alert rules: structure', ['python3yaml'], () => {
  it('every rule has an expression, a severity, a summary and a description', () => {
    const parsed = parseYaml(alertsText) as {
      groups: {
        name: string;
        rules: { alert: string; expr: string; for?: string; labels: any; annotations: any }[];
      }[];
    };
    const rules = parsed.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'Sam2HighErrorRate',
        'Sam2HighLatencyP95',
        'Sam2QueueSaturated',
        'Sam2RequestsRejected',
        'Sam2ServiceAbsent',
        'Sam2ServiceDown',
        'Sam2WorkerRestarts',
      ].sort(),
    );
    for (const rule of rules) {
      expect([rule.alert, typeof rule.expr, ['critical', 'warning'].includes(rule.labels.severity)]).toEqual([
        rule.alert,
        'string',
        true,
      ]);
      expect(rule.annotations.summary).toEqual(expect.any(String));
      expect(rule.annotations.description).toEqual(expect.any(String));
    }
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(byName.Sam2ServiceDown.expr).toBe('up{job="sam2"} == 0');
    expect(byName.Sam2HighLatencyP95.expr).toMatch(/histogram_quantile\(0\.95,[\s\S]*\)\s*> 30$/);
  });

  it('the Prometheus configuration scrapes the service as the job the rules expect', () => {
    const config = parseYaml(readFileSync(deployFiles.prometheusConfig, 'utf8')) as any;
    expect(config.rule_files).toEqual(['alerts.yml']);
    expect(config.scrape_configs).toEqual([
      { job_name: 'sam2', metrics_path: '/metrics', static_configs: [{ targets: ['sam2-service:5005'] }] },
    ]);
  });
});

describeWithTools('alert rules: promtool', ['promtool'], () => {
  it('promtool check rules', () => {
    const result = promtool('check', 'rules', deployFiles.alerts);
    expect(result.output).toMatch(/SUCCESS: 7 rules found/);
    expect(result.code).toBe(0);
  });

  it('promtool test rules: each alert fires on its symptom and stays quiet otherwise', () => {
    const result = promtool('test', 'rules', deployFiles.alertsTest);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.code).toBe(0);
  });

  it('promtool check config', () => {
    const result = promtool('check', 'config', deployFiles.prometheusConfig);
    expect(result.output).toMatch(/is valid prometheus config file syntax/);
    expect(result.code).toBe(0);
  });
});

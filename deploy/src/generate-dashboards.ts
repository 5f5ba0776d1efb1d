/** Writes deploy/grafana/dashboards/*.json from src/dashboards.ts. Run: npm run dashboards -w @subnetkit/deploy */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboards, dashboardJson } from './dashboards.js';

export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'grafana', 'dashboards');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, d] of Object.entries(buildDashboards())) {
    const file = join(DASHBOARD_DIR, `${name}.json`);
    writeFileSync(file, dashboardJson(d));
    console.log(`wrote ${file}`);
  }
}

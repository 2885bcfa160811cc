import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_ADMIN_PASSWORD = 'e2e-admin-password';

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: true,
  fullyParallel: false,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: {
    command: 'node scripts/e2e-server.mjs',
    url: `http://127.0.0.1:${PORT}/login`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      ANVIL_DATA_DIR: path.resolve('.e2e-data'),
      ANVIL_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      // Specs deploy more idle services side by side than a 2-core machine's pool holds.
      ANVIL_POOL_CPUS: '32',
      ANVIL_POOL_MEMORY_GIB: '128',
      // Specs deploy on the process pool unless they choose one (the Docker specs pick "docker" in the wizard).
      ANVIL_DEFAULT_POOL: 'local',
      // Alarm specs see a rule fire within seconds: 2-s ticks and 6-s metric minutes.
      ANVIL_METRICS_TICK_MS: '2000',
      ANVIL_METRICS_MINUTE_MS: '6000',
      // Containers of a run never outlive it.
      ANVIL_STOP_CONTAINERS_ON_EXIT: '1',
      // The image repository's gate (e2e/image-repository.spec.ts reads the address from the page).
      ANVIL_REGISTRY_PORT: process.env.E2E_REGISTRY_PORT ?? '5100',
    },
  },
});

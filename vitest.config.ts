import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests boot real VMs under TCG: minutes, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Two cores: VM-booting files must not run side by side with each other.
    fileParallelism: true,
    maxWorkers: 2,
  },
});

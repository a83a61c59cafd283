import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // Text assertions read plain output. picocolors colours output when CI is set (as the CI runner sets it)
    // even without a TTY; NO_COLOR wins over CI and FORCE_COLOR, and child processes inherit it.
    env: { NO_COLOR: '1' },
    reporters: ['default', './test/hardening/summary-table.ts', './test/summary-reporter.ts'],
  },
});

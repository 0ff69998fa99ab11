import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/summary-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 120_000,
    // both cores of the CI machine: vitest's default leaves one free, and runs the files one by one there
    maxWorkers: 2,
    hookTimeout: 120_000,
    reporters: ['default', new SummaryReporter()],
  },
});

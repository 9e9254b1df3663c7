import { defineConfig } from 'vitest/config';

// Test files that boot real VMs under TCG. They run after the unit files, one file at a
// time: two of them side by side on a 2-core machine starve each other's guests.
// New VM-booting files are named *.vm.test.ts; the older ones are listed by path.
const VM_FILES = [
  'test/**/*.vm.test.ts',
  'test/run/engine.test.ts',
  'test/run/faults.test.ts',
  'test/axes/capabilities.test.ts',
  'test/axes/libc.test.ts',
  'test/vm/boot.test.ts',
  'test/vm/accel.test.ts',
  'test/vng/vng-backend.test.ts',
  'test/example/build.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests boot real VMs under TCG: minutes, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 600_000,
    reporters: ['default', './test/helpers/closing-line.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: VM_FILES,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'vm', include: VM_FILES, fileParallelism: false, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});

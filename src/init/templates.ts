// The files `portmatrix init` writes: a starter matrix.yaml and a sharded GitHub
// workflow. Pure functions of the project init found and the portmatrix version.

import path from 'node:path';
import { type Project, renderStep } from './project.js';

const KERNELS = ['debian:bullseye', 'debian:bookworm', 'debian:trixie'];

function archLines(p: Project): string {
  const left = Object.entries(p.leftOut).map(([arch, why]) => `#   ${arch} is left out: ${why}`);
  const built = p.prepare.length + p.perArch.length > 0 ? 'the arches `portmatrix init` could build for' : 'the arches the programs exist for';
  return [`# ${built}.`, ...left, '# amd64, arm64, s390x (big-endian; Debian bullseye has no s390x kernel, those cells are skipped).'].join('\n');
}

function testLines(p: Project): string {
  const head =
    p.kind === 'placeholder'
      ? '  # TODO: where your loader is built for each arch; {goarch} becomes amd64, arm64 or s390x.'
      : `  # Guessed from ${p.evidence}.`;
  const todo = p.programs.some((t) => t.path.includes('TODO'))
    ? ['  # TODO: the program `make` builds (run `make`, or `portmatrix init` without --no-build).']
    : [];
  const tests = p.programs.map((t) =>
    [
      `  - name: ${t.name}`,
      ...(t.kind === 'gotest' ? ['    # A `go test -c` binary: one case per Go test.', '    kind: gotest'] : []),
      `    path: ${t.path}`,
      '    # Seconds it may run inside the guest.',
      '    timeout: 60',
    ].join('\n'),
  );
  return [head, ...todo, ...tests].join('\n');
}

function userspaceLines(p: Project): string {
  if (p.libc.every((l) => l === 'static')) return '';
  const packages = p.packages.length > 0 ? `# Debian packages the programs need (from the libc's suite).\npackages: [${p.packages.join(', ')}]\n` : '';
  return `# The programs are dynamically linked: a Debian userspace (glibc at least the one they were built against).
libc: [${p.libc.join(', ')}]
${packages}
`;
}

export function matrixYaml(p: Project): string {
  return `# portmatrix: which kernels, architectures and configurations your eBPF programs must work on.
# Every cell (kernel × arch × config) boots in its own QEMU VM and runs the tests.
# Reference: docs/matrix.md in the portmatrix package. Try it: npx portmatrix plan, then run.

kernels:
${KERNELS.map((k) => `  - ${k}`).join('\n')}

${archLines(p)}
arches: [${p.arches.join(', ')}]

${userspaceLines(p)}configs:
  - name: default
  # A locked-down kernel, as on Secure Boot machines:
  # - name: lockdown
  #   cmdline: lockdown=integrity

tests:
${testLines(p)}

# Cells known to fail, with the reason: reported as expected failures.
expect: []
`;
}

/** The shell lines of the "Build the tests" step. */
export function buildScript(p: Project): string[] {
  if (p.kind === 'binaries') return [`echo "using the programs already in ${programDirs(p).join(' ')}; build them here if they are not committed"`];
  if (p.kind === 'placeholder') return ['echo "::error::edit .github/workflows/portmatrix.yml: build your loader for every arch in this step"', 'exit 1'];
  const perArch = p.perArch.filter((s) => s.arch === undefined || p.arches.includes(s.arch));
  return [...installLines(p.buildPackages), ...[...p.prepare, ...perArch].map(renderStep)];
}

/** The build tools from the runner's archive; Ubuntu ships bpftool in linux-tools, Debian as bpftool. */
function installLines(packages: string[]): string[] {
  if (packages.length === 0) return [];
  const plain = packages.filter((name) => name !== 'bpftool');
  const lines = ['sudo apt-get update -qq', `sudo apt-get install -y --no-install-recommends ${plain.join(' ')}`];
  if (plain.length === packages.length) return lines;
  const ubuntu = 'sudo apt-get install -y --no-install-recommends linux-tools-common "linux-tools-$(uname -r)"';
  return [...lines, `sudo apt-get install -y --no-install-recommends bpftool || ${ubuntu}`];
}

/** The directories the programs live in, uploaded from the build job to the shards. */
function programDirs(p: Project): string[] {
  return [...new Set(p.programs.map((t) => path.posix.dirname(t.path.replace(/^\.\//, '')) || '.'))];
}

export const indent = (lines: string[], n: number) => lines.map((l) => `${' '.repeat(n)}${l}`).join('\n');

// Every job but the gate starts from the repository and Node.
const CHECKOUT_AND_NODE = `      - uses: actions/checkout@v4
        with:
          persist-credentials: false
`;
export const SETUP_NODE = `      - uses: actions/setup-node@v4
        with:
          node-version: 20
`;

const HEADER = `# portmatrix: boots every cell of matrix.yaml in QEMU, sharded over 4 jobs.
# Written by \`portmatrix init\`; docs: https://www.npmjs.com/package/portmatrix
name: portmatrix

on:
  pull_request:
  push:
    branches: [main]

permissions: {}
`;

/** Builds the loader once, uploads it, and plans the shards. */
function planJob(p: Project, pm: string, loaderDir: string): string {
  const goSteps =
    p.goModule !== undefined
      ? `      - uses: actions/setup-go@v5
        with:
          go-version-file: ${p.goModule ? `${p.goModule}/` : ''}go.mod
`
      : '';
  return `  plan:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    outputs:
      matrix: \${{ steps.plan.outputs.matrix }}
    steps:
${CHECKOUT_AND_NODE}${SETUP_NODE}${goSteps}      - name: Build the tests
        run: |
${indent(buildScript(p), 10)}
      - uses: actions/upload-artifact@v7
        with:
          name: loader
          path: ${loaderDir}
          if-no-files-found: error
      - name: Plan the shards
        id: plan
        run: ${pm} plan --github-matrix --shards 4
`;
}

/** One job per shard: KVM when the runner has it, QEMU, the kernel cache, the shard's results. */
function runJob(pm: string, loaderDir: string): string {
  return `  run:
    needs: plan
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    strategy:
      fail-fast: false
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    steps:
${CHECKOUT_AND_NODE}${SETUP_NODE}      - uses: actions/download-artifact@v4
        with:
          name: loader
          path: ${loaderDir}
      - name: Enable KVM
        run: |
          chmod -R +x ${loaderDir}
          if [ -e /dev/kvm ]; then
            echo 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"' | sudo tee /etc/udev/rules.d/99-kvm4all.rules
            sudo udevadm control --reload-rules
            sudo udevadm trigger --name-match=kvm
          fi
      - name: Install QEMU
        run: |
          sudo apt-get update -qq
          sudo apt-get install -y --no-install-recommends qemu-system-x86 qemu-system-arm qemu-system-misc
      # Kernels, BTF and packages, shared by every shard; not the boot snapshots (large,
      # and a state saved on one runner's CPU may not restore on another's).
      - uses: actions/cache@v4
        with:
          path: |
            ~/.cache/portmatrix
            !~/.cache/portmatrix/snapshots
            !~/.cache/portmatrix/locks
            !~/.cache/portmatrix/tmp
          key: portmatrix-kernels-\${{ hashFiles('portmatrix.lock') }}
          restore-keys: portmatrix-kernels-
      - name: Run the shard
        env:
          SHARD: \${{ matrix.shard }}
        run: |
          ${pm} run --shard "$SHARD" --results-dir results
      - name: Name the artifact
        id: artifact
        if: \${{ always() }}
        env:
          SHARD: \${{ matrix.shard }}
        run: echo "name=portmatrix-results-\${SHARD%%/*}-of-\${SHARD##*/}" >> "$GITHUB_OUTPUT"
      - uses: actions/upload-artifact@v7
        if: \${{ always() }}
        with:
          name: \${{ steps.artifact.outputs.name }}
          path: results
`;
}

/** Merges the shards into one report, the job summary and the sticky PR comment. */
function reportJob(pm: string): string {
  return `  report:
    needs: [plan, run]
    if: \${{ always() && needs.plan.result == 'success' }}
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      # For the sticky comment on pull requests from this repository (forks: see
      # the workflow_run pattern in portmatrix's docs/github-actions.md).
      pull-requests: write
    steps:
${CHECKOUT_AND_NODE}${SETUP_NODE}      - uses: actions/download-artifact@v4
        with:
          pattern: portmatrix-results-*
          path: shards
      # The plan (matrix, 4 shards) names the cells of a shard that uploaded nothing;
      # with no shard at all, the report and the comment say so.
      - name: Merge the shards
        run: |
          shopt -s nullglob
          ${pm} report --matrix matrix.yaml --shards 4 --out report shards/*
      - uses: actions/upload-artifact@v7
        if: \${{ always() }}
        with:
          name: portmatrix-report
          path: report
      # report.html alone, not zipped: GitHub shows it in the browser (the artifact takes the file's name).
      - uses: actions/upload-artifact@v7
        id: html
        if: \${{ always() && hashFiles('report/report.html') != '' }}
        with:
          path: report/report.html
          archive: false
      - name: Link the HTML report
        id: link
        if: \${{ always() && steps.html.outputs.artifact-id != '' }}
        env:
          ARTIFACT_ID: \${{ steps.html.outputs.artifact-id }}
        run: |
          run_page="$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"
          echo "url=$run_page/artifacts/$ARTIFACT_ID" >> "$GITHUB_OUTPUT"
      - name: Job summary
        if: \${{ always() }}
        env:
          REPORT_URL: \${{ steps.link.outputs.url }}
        run: |
          if [ -f report/summary.md ]; then cat report/summary.md >> "$GITHUB_STEP_SUMMARY"; fi
          if [ -n "$REPORT_URL" ]; then
            printf '\\n📄 [Full HTML report](%s)\\n' "$REPORT_URL" >> "$GITHUB_STEP_SUMMARY"
          fi
      - name: Comment on the pull request
        if: \${{ always() && github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository }}
        env:
          GITHUB_TOKEN: \${{ github.token }}
          REPORT_URL: \${{ steps.link.outputs.url }}
        run: ${pm} comment report --report-url "$REPORT_URL"
`;
}

/** The gate: fails unless every job succeeded. */
const GATE_JOB = `  # The one stable check name to require in branch protection.
  portmatrix:
    needs: [plan, run, report]
    if: \${{ always() }}
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      - env:
          RESULTS: \${{ join(needs.*.result, ' ') }}
        run: |
          for result in $RESULTS; do
            if [ "$result" != success ]; then echo "::error::a portmatrix job ended with '$result'"; exit 1; fi
          done
`;

export function workflowYaml(p: Project, version: string): string {
  const pm = `npx --yes portmatrix@${version}`;
  // One directory to upload and download back in place; programs in several → the root.
  const dirs = programDirs(p);
  const loaderDir = dirs.length === 1 ? dirs[0]! : '.';
  const jobs = [planJob(p, pm, loaderDir), runJob(pm, loaderDir), reportJob(pm), GATE_JOB];
  return `${HEADER}\njobs:\n${jobs.join('\n')}`;
}

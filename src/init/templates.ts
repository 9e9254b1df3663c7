// The files `portmatrix init` writes: a starter matrix.yaml and a sharded GitHub
// workflow. Pure functions of the loader guess and the portmatrix version.

import path from 'node:path';
import type { LoaderGuess } from './detect.js';

const KERNELS = ['debian:bullseye', 'debian:bookworm', 'debian:trixie'];

export function matrixYaml(guess: LoaderGuess): string {
  const loaderComment =
    guess.kind === 'bpf2go'
      ? `# Guessed from bpf2go output (${guess.evidence}): the Go program in ${guess.moduleDir ? `${guess.moduleDir}/` : ''}${guess.pkg},\n  # built for every arch into bin/ by the workflow's "Build the loader" step.`
      : guess.kind === 'binaries'
        ? `# Guessed from existing binaries (${guess.evidence}).`
        : '# TODO: where your loader is built for each arch; {goarch} becomes amd64, arm64 or s390x.';
  return `# portmatrix: which kernels, architectures and configurations your eBPF loader must work on.
# Every cell (kernel × arch × config) boots in its own QEMU VM and runs the loader.
# Reference: docs/matrix.md in the portmatrix package. Try it: npx portmatrix plan, then run.

kernels:
${KERNELS.map((k) => `  - ${k}`).join('\n')}

# amd64, arm64, s390x (big-endian; Debian bullseye has no s390x kernel, those cells are skipped).
arches: [${guess.arches.join(', ')}]

configs:
  - name: default
  # A locked-down kernel, as on Secure Boot machines:
  # - name: lockdown
  #   cmdline: lockdown=integrity

loader:
  ${loaderComment}
  path: ${guess.path}
  args: []
  # Seconds the loader may run inside the guest.
  timeout: 60

# Cells known to fail, with the reason: reported as expected failures.
expect: []
`;
}

/** The shell lines of the "Build the loader" step. */
function buildScript(guess: LoaderGuess): string[] {
  if (guess.kind === 'bpf2go') {
    return [
      `for arch in ${guess.arches.join(' ')}; do`,
      // -C: the module may live in a subdirectory; the binaries go to ./bin either way.
      `  CGO_ENABLED=0 GOARCH="$arch" go ${guess.moduleDir ? `-C ${guess.moduleDir} ` : ''}build -o "$PWD/bin/${guess.name}-$arch" ${guess.pkg}`,
      'done',
    ];
  }
  if (guess.kind === 'binaries') return [`echo "using the loaders already in ${path.posix.dirname(guess.path)}; build them here if they are not committed"`];
  return ['echo "::error::edit .github/workflows/portmatrix.yml: build your loader for every arch in this step"', 'exit 1'];
}

const indent = (lines: string[], n: number) => lines.map((l) => `${' '.repeat(n)}${l}`).join('\n');

// Every job but the gate starts from the repository and Node.
const CHECKOUT_AND_NODE = `      - uses: actions/checkout@v4
        with:
          persist-credentials: false
`;
const SETUP_NODE = `      - uses: actions/setup-node@v4
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
function planJob(guess: LoaderGuess, pm: string, loaderDir: string): string {
  const goSteps =
    guess.kind === 'bpf2go'
      ? `      - uses: actions/setup-go@v5
        with:
          go-version-file: ${guess.moduleDir ? `${guess.moduleDir}/` : ''}go.mod
`
      : '';
  return `  plan:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    outputs:
      matrix: \${{ steps.plan.outputs.matrix }}
    steps:
${CHECKOUT_AND_NODE}${SETUP_NODE}${goSteps}      - name: Build the loader
        run: |
${indent(buildScript(guess), 10)}
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
${SETUP_NODE}      - uses: actions/download-artifact@v4
        with:
          pattern: portmatrix-results-*
          path: shards
      - name: Merge the shards
        run: ${pm} report shards/* --out report
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

export function workflowYaml(guess: LoaderGuess, version: string): string {
  const pm = `npx --yes portmatrix@${version}`;
  const loaderDir = path.posix.dirname(guess.path.replace(/^\.\//, '')) || '.';
  const jobs = [planJob(guess, pm, loaderDir), runJob(pm, loaderDir), reportJob(pm), GATE_JOB];
  return `${HEADER}\njobs:\n${jobs.join('\n')}`;
}

// The scheduled workflow `portmatrix init` writes beside portmatrix.yml: every day,
// whether the kernels and packages of matrix.yaml have newer builds than
// portmatrix.lock; if so the lock moves, the matrix runs on the newer builds (the
// reusable action) and one pull request from portmatrix/kernels carries the lock
// change and the result table (docs/github-actions.md, "Kernels kept current").

import type { Project } from './project.js';
import { buildScript, indent, SETUP_NODE } from './templates.js';

const NEWER = "if: ${{ steps.check.outputs.newer == 'true' }}";

/** The lock checked, then moved: `newer` says whether anything moved. */
function lockSteps(pm: string): string {
  return `      - name: Check the lock
        id: check
        run: |
          set +e
          ${pm} lock --check > lock-changes.txt
          code=$?
          set -e
          cat lock-changes.txt
          case "$code" in
            0) echo "newer=false" >> "$GITHUB_OUTPUT" ;;
            1) echo "newer=true" >> "$GITHUB_OUTPUT" ;;
            *) exit "$code" ;;
          esac
      - name: Move the lock
        ${NEWER}
        run: ${pm} lock --update
`;
}

/** The default branch's last report (the portmatrix.yml run of a push), for the diff. */
const BASE_STEP = `      - name: Download the default branch's results
        id: base
        ${NEWER}
        env:
          GH_TOKEN: \${{ github.token }}
          REPO: \${{ github.repository }}
          BRANCH: \${{ github.event.repository.default_branch }}
        run: |
          run_id="$(gh run list -R "$REPO" --workflow portmatrix.yml --branch "$BRANCH" --event push \\
            --status completed --limit 1 --json databaseId --jq '.[0].databaseId // empty')"
          if [ -n "$run_id" ] && gh run download "$run_id" -R "$REPO" -n portmatrix-report -D base; then
            echo "dir=base" >> "$GITHUB_OUTPUT"
          fi
`;

/** The lock change pushed to portmatrix/kernels, then its one pull request. */
function pullRequestSteps(pm: string): string {
  return `      - name: Push the lock change
        ${NEWER}
        run: |
          git config user.name 'github-actions[bot]'
          git config user.email '41898282+github-actions[bot]@users.noreply.github.com'
          git checkout -B portmatrix/kernels
          git add portmatrix.lock
          git commit -m "portmatrix.lock: newer kernel and package builds" -m "$(cat lock-changes.txt)"
          if ! git push --force origin portmatrix/kernels; then
            echo '**portmatrix could not push portmatrix/kernels:** the token lacks \`contents: write\`' >> "$GITHUB_STEP_SUMMARY"
            exit 1
          fi
      # On a 403 lock-pr writes the missing permission into the job summary.
      - name: Open or update the pull request
        ${NEWER}
        env:
          GITHUB_TOKEN: \${{ github.token }}
          REPORT_URL: \${{ steps.run.outputs.report-url }}
          BASE: \${{ steps.base.outputs.dir }}
          INTO: \${{ github.event.repository.default_branch }}
        run: |
          args=(lock-pr results --changes lock-changes.txt --into "$INTO" --report-url "$REPORT_URL")
          if [ -n "$BASE" ]; then args+=(--base "$BASE"); fi
          ${pm} "\${args[@]}"
`;
}

export function kernelsWorkflowYaml(p: Project, version: string): string {
  const pm = `npx --yes portmatrix@${version}`;
  return `# portmatrix: every day, whether matrix.yaml's kernels and packages have newer builds than
# portmatrix.lock; if so, the matrix runs on them and one pull request carries the change.
# Written by \`portmatrix init\`; docs: https://www.npmjs.com/package/portmatrix
name: portmatrix kernels

on:
  schedule:
    - cron: '17 5 * * *'
  workflow_dispatch:

permissions: {}

concurrency:
  group: portmatrix-kernels

jobs:
  kernels:
    runs-on: ubuntu-24.04
    permissions:
      contents: write
      pull-requests: write
      actions: read
    steps:
      - uses: actions/checkout@v4
${SETUP_NODE}${lockSteps(pm)}      - name: Build the tests
        ${NEWER}
        run: |
${indent(buildScript(p), 10)}
      # The run's own result stays what it is: a red cell goes into the pull request.
      - uses: portmatrix/portmatrix@v0
        id: run
        ${NEWER}
        with:
          version: ${version}
          results-dir: results
          artifact-name: portmatrix-kernels
          fail-on-error: 'false'
${BASE_STEP}${pullRequestSteps(pm)}`;
}

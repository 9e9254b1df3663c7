// Workflow-command hygiene for GitHub Actions logs. The runner interprets any
// stdout line starting with `::` as a command (`::error::`, `::add-mask::`,
// `::set-env::` …), so text we do not control — guest console, loader output —
// must be fenced with `::stop-commands::<token>` … `::<token>::`, and text we put
// inside our own commands must be escaped the way @actions/core does it.
// https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
// All functions return strings (pure); callers write them where they like.

import { randomBytes } from 'node:crypto';

/** Escapes a command's message (@actions/core `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property value (@actions/core `escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function groupStart(title: string): string {
  return `::group::${escapeData(title)}\n`;
}

export function groupEnd(): string {
  return '::endgroup::\n';
}

/**
 * Wraps untrusted text so the runner ignores every workflow command inside it.
 * The token must be unguessable by whoever produced the text, and must not occur
 * in it (otherwise the text could end the fence itself): a random one is drawn
 * again in that case.
 */
export function fenceGuestOutput(text: string, token?: string): string {
  let t = token ?? randomToken();
  while (text.includes(t)) t = randomToken();
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `::stop-commands::${t}\n${body}::${t}::\n`;
}

function randomToken(): string {
  return `portmatrix-${randomBytes(16).toString('hex')}`;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProps {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

export function annotation(level: AnnotationLevel, message: string, props: AnnotationProps = {}): string {
  const pairs = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  const head = pairs.length > 0 ? `${level} ${pairs.join(',')}` : level;
  return `::${head}::${escapeData(message)}\n`;
}

/**
 * Caps the annotations of one run: GitHub shows at most 10 errors and 10 warnings
 * a step and drops the rest silently, so we keep the first `limit` and say how many
 * were left out, pointing at the report instead.
 */
export class Annotations {
  private emitted = 0;
  private dropped = 0;

  constructor(readonly limit = 10) {}

  /** The command line to print, or '' once the cap is reached. */
  add(level: AnnotationLevel, message: string, props?: AnnotationProps): string {
    if (this.emitted >= this.limit) {
      this.dropped++;
      return '';
    }
    this.emitted++;
    return annotation(level, message, props);
  }

  /** A closing notice when annotations were dropped, else ''. */
  summary(): string {
    if (this.dropped === 0) return '';
    return annotation('notice', `${this.dropped} more annotation(s) not shown (limit ${this.limit}); see the portmatrix report`);
  }
}

// The one order in which a setting given in several places is chosen: a flag on the
// command line, then the environment, then the matrix file, then the built-in
// default (docs/matrix.md, "Precedence"). The closer to this invocation, the
// stronger: a CI job's environment or a one-off flag overrides the committed matrix.

export interface SettingSources<T> {
  flag?: T;
  env?: T;
  matrix?: T;
  fallback: T;
}

export function chooseSetting<T>(s: SettingSources<T>): T {
  return s.flag ?? s.env ?? s.matrix ?? s.fallback;
}

// How a cell's expectation to fail reads when it did not hold: the one wording that the
// recorded reason (outcome/) and every view (report/) share.

/** An expectation to fail that did not hold. */
export function passedAgainstExpectation(reason: string | undefined): string {
  return `expected to fail (${reason ?? 'expect'}) but passed`;
}

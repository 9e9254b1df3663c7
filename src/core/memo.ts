// Memoised async work: the first call for a key starts it, every later call for
// the same key shares that promise (a kernel resolved once per run, a loader's
// ELF read once, the KVM probe booted once per arch).

export interface Memoized<A extends unknown[], V> {
  (...args: A): Promise<V>;
  /** Forget every remembered result (tests, or a new run in the same process). */
  clear(): void;
}

export interface MemoOptions<A extends unknown[]> {
  /** The key of a call; default its first argument. Keys compare as Map keys do (strings by value). */
  keyOf?: (...args: A) => unknown;
  /**
   * Forget a rejected promise so a later call tries again (downloads). By default
   * a failure is remembered too: the same inputs fail the same way within a run.
   */
  retryFailures?: boolean;
}

export function memoize<A extends unknown[], V>(compute: (...args: A) => Promise<V>, opts: MemoOptions<A> = {}): Memoized<A, V> {
  const memo = new Map<unknown, Promise<V>>();
  const keyOf = opts.keyOf ?? ((...args: A) => args[0]);
  const call = (...args: A): Promise<V> => {
    let key: unknown;
    try {
      key = keyOf(...args);
    } catch (error) {
      return Promise.reject(error);
    }
    let value = memo.get(key);
    if (!value) {
      try {
        value = compute(...args);
      } catch (error) {
        value = Promise.reject(error);
      }
      if (opts.retryFailures) value.catch(() => memo.delete(key));
      memo.set(key, value);
    }
    return value;
  };
  return Object.assign(call, { clear: () => memo.clear() });
}

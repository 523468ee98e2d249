/**
 * `promise`'s value, or 'timed out' if it has not settled within `ms`: a generous bound that lets a test
 * say "answers within N s instead of hanging" (never a timing assertion).
 */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

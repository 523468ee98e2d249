/**
 * Priority classes of inference work, most urgent first (issue 9 §3): a decode of an encoded slice takes
 * ~60–100 ms with SAM2 on a CPU and someone is waiting on it; an interactive encode (~2 s) has a user
 * waiting too; a speculative encode only prepares a slice the user may click next.
 */
export const priorityRank = { decode: 0, encode: 1, speculative: 2 } as const;

export type Priority = keyof typeof priorityRank;

/** True when `a` must run before `b`. */
export function outranks(a: Priority, b: Priority): boolean {
  return priorityRank[a] < priorityRank[b];
}

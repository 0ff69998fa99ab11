import { expect } from 'vitest';

/** The error `f` throws, checked to be an instance of `type` (the test fails when nothing is thrown). */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

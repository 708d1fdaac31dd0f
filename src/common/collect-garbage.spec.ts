import { collectGarbage } from './collect-garbage.js';

describe('collectGarbage', () => {
  it('runs a full collection on demand: an object nothing refers to is gone afterwards', async () => {
    // Made inside a function, so no variable of the test keeps it alive.
    const ref = ((): WeakRef<{ payload: number[] }> => new WeakRef({ payload: new Array<number>(100_000).fill(1) }))();
    // WeakRef targets stay alive until the end of the job that created or read them.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it('can be called again and again', () => {
    expect(() => {
      collectGarbage();
      collectGarbage();
    }).not.toThrow();
  });
});

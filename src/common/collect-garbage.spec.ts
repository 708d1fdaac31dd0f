import { collectGarbage } from './collect-garbage.js';

describe('collectGarbage', () => {
  it('runs a full collection on demand: an object nothing refers to is gone afterwards', async () => {
    let target: { payload: number[] } | undefined = { payload: new Array<number>(100_000).fill(1) };
    const ref = new WeakRef(target);
    target = undefined;
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

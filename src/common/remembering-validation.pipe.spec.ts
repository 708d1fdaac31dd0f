import { ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsString, Max } from 'class-validator';
import { AggregateCaches } from './aggregate-caches.js';
import { ReadOnlyInput, RememberingValidationPipe } from './remembering-validation.pipe.js';

@ReadOnlyInput()
class Remembered {
  @IsString() dataset!: string;
  @IsInt() @Max(100) limit!: number;
}

class Fresh {
  @IsString() dataset!: string;
}

const meta = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

describe(RememberingValidationPipe.name, () => {
  const pipe = (caches = new AggregateCaches(true)) =>
    new RememberingValidationPipe(caches, { whitelist: true, forbidNonWhitelisted: true, transform: true });

  it('hands the same frozen instance to an equal value of a read-only input class', async () => {
    const sut = pipe();
    const first = await sut.transform({ dataset: 'a', limit: 5 }, meta(Remembered));
    const second = await sut.transform({ dataset: 'a', limit: 5 }, meta(Remembered));
    const other = await sut.transform({ dataset: 'a', limit: 6 }, meta(Remembered));
    expect(first).toBeInstanceOf(Remembered);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      'use strict';
      (first as Remembered).limit = 7;
    }).toThrow(TypeError);
  });

  it('checks an invalid value every time, so that each failure is raised anew', async () => {
    const sut = pipe();
    const refused = (property: string) => ({
      status: 400,
      response: { message: [expect.stringContaining(property)] },
    });
    await expect(sut.transform({ dataset: 'a', limit: 500 }, meta(Remembered))).rejects.toMatchObject(refused('limit'));
    await expect(sut.transform({ dataset: 'a', limit: 500 }, meta(Remembered))).rejects.toMatchObject(refused('limit'));
    await expect(sut.transform({ dataset: 'a', limit: 5, extra: 1 }, meta(Remembered))).rejects.toMatchObject(
      refused('extra'),
    );
  });

  it('leaves classes that are not marked read-only alone: a new, unfrozen instance each time', async () => {
    const sut = pipe();
    const first = await sut.transform({ dataset: 'a' }, meta(Fresh));
    const second = await sut.transform({ dataset: 'a' }, meta(Fresh));
    expect(second).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(false);
  });

  it('keeps validated inputs in the plans cache, so with the caches off every input is validated anew', async () => {
    const caches = new AggregateCaches(true);
    const kept = await pipe(caches).transform({ dataset: 'kept', limit: 1 }, meta(Remembered));
    // Another pipe over the same caches finds it: the pipe has no memo of its own.
    expect(await pipe(caches).transform({ dataset: 'kept', limit: 1 }, meta(Remembered))).toBe(kept);
    const off = pipe(new AggregateCaches(false));
    const first = await off.transform({ dataset: 'kept', limit: 1 }, meta(Remembered));
    expect(first).toBeInstanceOf(Remembered);
    expect(await off.transform({ dataset: 'kept', limit: 1 }, meta(Remembered))).not.toBe(first);
  });

  it('does not remember long values (over 4 kB as JSON)', async () => {
    const sut = pipe();
    const long = { dataset: 'x'.repeat(5_000), limit: 1 };
    const first = await sut.transform(long, meta(Remembered));
    expect(await sut.transform({ ...long }, meta(Remembered))).not.toBe(first);
  });
});

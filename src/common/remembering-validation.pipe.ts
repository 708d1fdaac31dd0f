import { ArgumentMetadata, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { AggregateCaches } from './aggregate-caches.js';

/** Input classes whose validated instances are only read, never changed, by whatever receives them. */
const READ_ONLY_INPUTS = new WeakSet<object>();

/**
 * Marks an input class whose validated instances its consumers only read: the validation pipe may
 * hand the same (frozen) instance to every request that sends the same value. For inputs that are
 * sent again and again (an aggregate query that a dashboard polls), so that class-transformer and
 * class-validator do not rebuild and recheck an identical object on every request.
 */
export function ReadOnlyInput(): ClassDecorator {
  return (target) => {
    READ_ONLY_INPUTS.add(target);
  };
}

/** Longer values (as JSON) are validated every time. */
const MAX_REMEMBERED_LENGTH = 4_096;

/**
 * NestJS's ValidationPipe that, for `@ReadOnlyInput()` classes, keeps what it validated in the
 * aggregate path's plans cache (`AggregateCaches`, src/common/aggregate-caches.ts) rather than in a
 * memo of its own: an input equal (as JSON) to one validated before gets the same frozen instance
 * back, the first step of the plan it leads to. Only valid inputs are kept; an invalid one is
 * checked again every time, so that each failure is its own error (and its own audit event). With
 * the caches off (`HGW_AGGREGATE_CACHE=off`) every input is validated anew.
 */
export class RememberingValidationPipe extends ValidationPipe {
  constructor(
    private readonly caches: AggregateCaches,
    options?: ValidationPipeOptions,
  ) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (!type || !READ_ONLY_INPUTS.has(type) || value === null || typeof value !== 'object') {
      return super.transform(value, metadata);
    }
    const json = JSON.stringify(value);
    if (json.length > MAX_REMEMBERED_LENGTH) return super.transform(value, metadata);
    return this.caches.validated(
      `input\u0000${type.name}\u0000${json}`,
      async () => (await super.transform(value, metadata)) as object,
    );
  }
}

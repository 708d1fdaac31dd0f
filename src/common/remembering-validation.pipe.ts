import { ArgumentMetadata, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { deepFreeze } from './deep-freeze.js';
import { LRUCache } from 'lru-cache';

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

const MAX_REMEMBERED = 1_000;
/** Longer values (as JSON) are validated every time, so that what is kept stays within a few MB per class. */
const MAX_REMEMBERED_LENGTH = 4_096;

/**
 * NestJS's ValidationPipe, remembering its result for `@ReadOnlyInput()` classes: an input equal
 * (as JSON) to one validated before gets the same frozen instance back. Only valid inputs are
 * remembered; an invalid one is checked again every time, so that each failure is its own error
 * (and its own audit event). At most MAX_REMEMBERED values per class, least recently used dropped.
 */
export class RememberingValidationPipe extends ValidationPipe {
  private readonly remembered = new Map<object, LRUCache<string, object>>();

  constructor(options?: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (!type || !READ_ONLY_INPUTS.has(type) || value === null || typeof value !== 'object') {
      return super.transform(value, metadata);
    }
    const key = JSON.stringify(value);
    if (key.length > MAX_REMEMBERED_LENGTH) return super.transform(value, metadata);
    let byValue = this.remembered.get(type);
    if (!byValue) this.remembered.set(type, (byValue = new LRUCache({ max: MAX_REMEMBERED })));
    const hit = byValue.get(key);
    if (hit !== undefined) return hit;
    const validated = deepFreeze((await super.transform(value, metadata)) as object);
    byValue.set(key, validated);
    return validated;
  }
}

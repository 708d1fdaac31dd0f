import { SetMetadata } from '@nestjs/common';
import { Permission } from './permissions.js';

export const ALLOW_KEY = 'hgw:allow';

/**
 * Declares what an operation needs. Several permissions are OR: holding any one of
 * them lets the caller in (services then check finer rules, e.g. licence scope).
 * An operation without `@Allow` is denied to everyone by the global guard.
 */
export const Allow = (...permissions: [Permission, ...Permission[]]) => SetMetadata(ALLOW_KEY, permissions);

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { PUBLIC_ACTOR } from './actor.js';
import { requestFromContext } from './request-with-actor.js';

/** The acting principal, as authenticated by the global guard. */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => requestFromContext(context).actor ?? PUBLIC_ACTOR,
);

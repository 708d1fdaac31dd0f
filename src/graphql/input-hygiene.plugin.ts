import { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, Kind, visit } from 'graphql';
import { GatewayError } from '../common/gateway-error.js';

const MAX_WALK_DEPTH = 64;

/** True when a string anywhere in a JSON value holds a NUL character (PostgreSQL text cannot). */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > MAX_WALK_DEPTH || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}

/** Per parsed document (Apollo keeps one per distinct query text), so it is walked once. */
const documentsChecked = new WeakMap<DocumentNode, boolean>();

function documentContainsNul(document: DocumentNode): boolean {
  let found = documentsChecked.get(document);
  if (found === undefined) {
    found = walkForNul(document);
    documentsChecked.set(document, found);
  }
  return found;
}

function walkForNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  return found;
}

/**
 * Rejects NUL characters in variables and string literals before any resolver runs, so they
 * get a clear BAD_USER_INPUT instead of a database encoding error deep inside a query.
 */
export function inputHygienePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (containsNul(request.variables) || documentContainsNul(document)) {
            const error = new GatewayError(
              'BAD_USER_INPUT',
              'A string in the request contains a NUL character (\\u0000); remove it and retry.',
            );
            Object.assign(error.extensions, { http: { status: 400 } });
            throw error;
          }
        },
      };
    },
  };
}

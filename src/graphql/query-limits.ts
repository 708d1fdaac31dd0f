import { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { ASTNode, ASTVisitor, GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import { GatewayError, queryTooComplex } from '../common/gateway-error.js';

/**
 * The limits every GraphQL document must stay within, checked before anything runs.
 * docs/security.md lists them; change both together.
 */
export const QUERY_LIMITS = {
  /** Nesting of selections (introspection's `__schema` is not counted). */
  maxDepth: 8,
  /** Aliased fields per operation, `__typename` aliases included. */
  maxAliases: 15,
  /** Lexical tokens per document: bounds parsing work before any other check. */
  maxTokens: 1_000,
  /** Directives per operation; the same directive twice on one field, fragment or operation is refused outright. */
  maxDirectives: 20,
  /** Validation stops after this many errors (graphql-js `maxErrors`). */
  maxValidationErrors: 10,
  /** graphql-armor cost: objects cost 2, scalars 1, each level multiplies by 1.5. */
  maxCost: 5_000,
  objectCost: 2,
  scalarCost: 1,
  depthCostFactor: 1.5,
} as const;

const HINT = 'Split it into smaller operations, use fewer aliases and nesting levels, or pass long lists as variables.';

/** A document over a limit: armor's messages name the limit and what was found; keep that and say what to do. */
export function documentOverLimit(armorMessage: string): GatewayError {
  const detail = armorMessage.replace(/^Syntax Error:\s*/, '').trim();
  return queryTooComplex(`The query is too complex: ${detail} ${HINT}`, { limits: { ...QUERY_LIMITS } });
}

// graphql-js 16 spells it "more that"; accept the corrected spelling too.
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more (?:that|than) (\d+) tokens/;

/** graphql-js's own token limit (see `parseOptions`) fails parsing with this message. */
export function tokenLimitMessage(message: string): string | undefined {
  const match = TOKEN_LIMIT_MESSAGE.exec(message);
  return match ? `Token limit of ${match[1]} exceeded.` : undefined;
}

function reportTooComplex(ctx: ValidationContext | null, error: GraphQLError): void {
  ctx?.reportError(documentOverLimit(error.message));
}

/** Options for graphql-js's parser: it stops counting work at `maxTokens`. */
export const PARSE_OPTIONS = { maxTokens: QUERY_LIMITS.maxTokens } as const;

/**
 * graphql-armor's protections for Apollo: validation rules for depth, aliases, directives and
 * cost, rejections reported as QUERY_TOO_COMPLEX.
 *
 * Two armor protections are replaced by equivalents that answer better under Apollo 5:
 * - max tokens: armor's plugin throws from `parsingDidStart`, which Apollo answers with a 500;
 *   graphql-js's `maxTokens` parse option (PARSE_OPTIONS) does the same count and fails as a
 *   normal parse error (400), mapped to QUERY_TOO_COMPLEX in formatError.
 * - field suggestions: armor's regex leaves a stray "?" and misses enum-value suggestions;
 *   formatError's `withoutSuggestions` removes every "Did you mean ...?" instead.
 */
export function queryLimitProtection(): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[] } {
  const onReject = { propagateOnRejection: false, onReject: [reportTooComplex], exposeLimits: true };
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: true, ...onReject },
    // armor lets `__typename` aliases through by default (allowList); 101 of them are still 101 fields.
    maxAliases: { n: QUERY_LIMITS.maxAliases, allowList: [], ...onReject },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives, ...onReject },
    costLimit: {
      maxCost: QUERY_LIMITS.maxCost,
      objectCost: QUERY_LIMITS.objectCost,
      scalarCost: QUERY_LIMITS.scalarCost,
      depthCostFactor: QUERY_LIMITS.depthCostFactor,
      ignoreIntrospection: true,
      ...onReject,
    },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [...(plugins as ApolloServerPlugin[]), oneLimitErrorPlugin()],
    validationRules: [repeatedDirectivesRule, ...validationRules],
  };
}

/**
 * Directive overloading: the same directive repeated on one field, fragment or operation (known
 * or not) is refused once for the whole document, as QUERY_TOO_COMPLEX.
 */
export function repeatedDirectivesRule(ctx: ValidationContext): ASTVisitor {
  let reported = false;
  return {
    enter(node: ASTNode) {
      if (reported || !('directives' in node) || !node.directives || node.directives.length < 2) return;
      const seen = new Map<string, number>();
      for (const d of node.directives) seen.set(d.name.value, (seen.get(d.name.value) ?? 0) + 1);
      const repeated = [...seen].find(([, n]) => n > 1);
      if (!repeated) return;
      reported = true;
      ctx.reportError(
        documentOverLimit(
          `Directive @${repeated[0]} is repeated ${repeated[1]} times in one place; use each directive once.`,
        ),
      );
    },
  };
}

/**
 * Over a limit, the answer is that limit alone: the other validation errors a hostile document
 * provokes (ten unknown directives, a hundred unknown fields) add nothing but bytes.
 */
function oneLimitErrorPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.data !== undefined || !result.errors || result.errors.length < 2) return;
          const limit = result.errors.find((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX');
          if (limit) result.errors = [limit];
        },
      };
    },
  };
}

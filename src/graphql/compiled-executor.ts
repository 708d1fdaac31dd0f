import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import {
  DocumentNode,
  ExecutionResult,
  GraphQLError,
  GraphQLField,
  GraphQLObjectType,
  GraphQLResolveInfo,
  GraphQLSchema,
  getVariableValues,
  printSchema,
} from 'graphql';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { badUserInput } from '../common/gateway-error.js';

type Compiled = CompiledQuery | ExecutionResult;

/** A resolver reading the source's property `name` (and returning a promise held there as it is). */
function propertyReader(name: string) {
  return (source: Record<string, unknown>) => source[name];
}

/**
 * Whether a field's resolver only reads the source's property of the field's name, as graphql-js's
 * and graphql-jit's default resolution does: asked with a stand-in source holding a marker under
 * that name, it answers the marker, and asked with a source without it, undefined (no default
 * value). NestJS gives every code-first field such a resolver; a resolver of its own
 * (@ResolveField, field middleware) answers otherwise (a promise, another value, an error) and is
 * kept. Only the public `GraphQLField.resolve` is used: no name of NestJS's internals.
 */
export function readsOwnProperty(field: GraphQLField<unknown, unknown>): boolean {
  const resolve = field.resolve;
  if (!resolve) return true;
  const marker = { readsOwnProperty: field.name };
  const info = { fieldName: field.name } as GraphQLResolveInfo;
  const ask = (source: object) => {
    const value: unknown = resolve(source, {}, undefined, info);
    // A real resolver may answer a promise that rejects without a request behind it: not unhandled.
    if (typeof (value as PromiseLike<unknown> | undefined)?.then === 'function') {
      (value as PromiseLike<unknown>).then(undefined, () => undefined);
    }
    return value;
  };
  try {
    return ask({ [field.name]: marker }) === marker && ask({}) === undefined;
  } catch {
    return false;
  }
}

/**
 * graphql-jit's errors carry no `extensions` when their original error has none (graphql-js's
 * always have an object there), and Apollo reads `extensions.code` of every error: such an error
 * (a database error in a resolver, say) would fail Apollo's formatting and reach the caller as
 * "Internal server error" instead of what the error formatter makes of it. The same error as
 * graphql-js builds it: message, locations, path, original error, its extensions or none.
 */
function asGraphqlJsError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: error.originalError });
  (rebuilt as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return rebuilt;
}

/**
 * Executes operations with graphql-jit instead of graphql-js's interpreter, behind Apollo Server's
 * public executor interface (`gateway`). Apollo still parses, validates (query limits included),
 * runs every plugin hook and formats errors; only the execution of an already validated document is
 * swapped. The schema and its resolvers (NestJS guards, pipes and interceptors included) are the
 * same; what changes is that each operation is compiled once into a function that walks exactly
 * its selection set, so the thousands of row and cell fields of an aggregate result are not
 * resolved one by one through the generic field-resolution path.
 *
 * One difference from graphql-js matters here: a field without a resolver is read as a plain value,
 * so a promise held in it is not awaited. So every field outside the plain types that has no
 * resolver is given one that reads the property (and returns the promise, which is awaited), so that
 * results such as the aggregate's `auditEventId: Promise<string>` resolve as they do under
 * graphql-js, whatever resolvers NestJS does or does not attach.
 *
 * Only public interfaces are used: Apollo Server's `gateway` option (its executor hook), NestJS's
 * `transformSchema` option, and graphql-js's schema and field objects. test/compiled-executor.e2e-spec.ts
 * fails if an upgrade changes one of these assumptions.
 *
 * Compiled operations are kept per parsed document (Apollo keeps one parsed document per distinct
 * query text in its bounded document store), so they are freed with it.
 */
export class CompiledExecutor implements GatewayInterface {
  private schema: GraphQLSchema | undefined;
  /** Compiled operations per parsed document and operation name, freed with the document. */
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();

  /**
   * @param plainTypes object types whose values are plain data (no promises, no methods, no
   *   defaults): a resolver that only reads the property (`readsOwnProperty`, NestJS's default) is
   *   taken off their fields, so that the compiled code reads the properties inline instead of
   *   calling a resolver per field. For the rows and cells of an aggregate result, of which one
   *   response may hold thousands.
   */
  constructor(private readonly plainTypes: readonly string[] = []) {}

  /** Pass as NestJS's `transformSchema`: the executor needs the schema NestJS generated. */
  readonly captureSchema = (schema: GraphQLSchema): GraphQLSchema => {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__') || this.plainTypes.includes(type.name)) {
        continue;
      }
      for (const field of Object.values(type.getFields())) field.resolve ??= propertyReader(field.name);
    }
    for (const name of this.plainTypes) {
      const type = schema.getType(name);
      if (!(type instanceof GraphQLObjectType)) {
        throw new Error(`CompiledExecutor: plain type ${name} is not an object type of the schema`);
      }
      for (const field of Object.values(type.getFields())) {
        if (readsOwnProperty(field)) field.resolve = undefined;
      }
    }
    this.schema = schema;
    return schema;
  };

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): () => void {
    const schema = this.requireSchema();
    callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
    return () => undefined;
  }

  async load(): Promise<{ executor: GatewayExecutor }> {
    this.requireSchema();
    return { executor: (request) => this.execute(request) };
  }

  async stop(): Promise<void> {}

  private async execute(request: GatewayGraphQLRequestContext): Promise<ExecutionResult> {
    const kind = request.operation?.operation;
    if (kind && !this.requireSchema().getRootType(kind)) {
      return { errors: [badUserInput(`This API has no ${kind}s; send a query (or a mutation).`)] };
    }
    const compiled = this.compile(request.document, request.operationName ?? undefined);
    if (!isCompiledQuery(compiled)) return compiled;
    const variables = request.request.variables ?? {};
    const result = await compiled.query(undefined, request.context, variables);
    // graphql-jit coerces the variables itself and, if they are wrong, runs nothing and answers
    // errors only. Those are replaced by graphql-js's own, so that a wrong variable gets exactly the
    // message (and, through Apollo, the BAD_USER_INPUT code and status 400) it gets uncompiled.
    if (!('data' in result) || result.data === undefined) {
      const definitions = request.operation?.variableDefinitions ?? [];
      const coerced = getVariableValues(this.requireSchema(), definitions, variables, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    if (result.errors?.some((e) => e.extensions === undefined)) {
      return { ...result, errors: result.errors.map((e) => (e.extensions === undefined ? asGraphqlJsError(e) : e)) };
    }
    return result;
  }

  private compile(document: DocumentNode, operationName: string | undefined): Compiled {
    let byName = this.compiled.get(document);
    const hit = byName?.get(operationName ?? '');
    if (hit) return hit;
    const compiled = compileQuery(this.requireSchema(), document, operationName);
    // Only operations the document holds compile, so at most one entry per operation; errors are
    // not kept (an unknown operation name is refused again, cheaply).
    if (!isCompiledQuery(compiled)) return compiled;
    if (!byName) this.compiled.set(document, (byName = new Map<string, CompiledQuery>()));
    byName.set(operationName ?? '', compiled);
    return compiled;
  }

  private requireSchema(): GraphQLSchema {
    if (!this.schema) throw new Error('CompiledExecutor: the schema was not captured (transformSchema not wired)');
    return this.schema;
  }
}

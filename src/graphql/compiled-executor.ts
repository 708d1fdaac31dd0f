import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import {
  DocumentNode,
  ExecutionResult,
  GraphQLObjectType,
  GraphQLSchema,
  getVariableValues,
  printSchema,
} from 'graphql';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { DerivedValues } from '../common/derived-values.js';
import { badUserInput } from '../common/gateway-error.js';

type Compiled = CompiledQuery | ExecutionResult;

/** The name of the resolver NestJS gives every code-first field that has none of its own. */
const NEST_PROPERTY_RESOLVER = 'rootFieldResolver';

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
 * so a promise held in it is not awaited. NestJS gives every field of a code-first object type a
 * resolver (which returns the promise, and that is awaited), so results such as the aggregate's
 * `auditEventId: Promise<string>` resolve as they do under graphql-js.
 *
 * Compiled operations are kept per parsed document (Apollo keeps one parsed document per distinct
 * query text in its bounded document store), so they are freed with it.
 */
export class CompiledExecutor implements GatewayInterface {
  private schema: GraphQLSchema | undefined;
  private readonly compiled = new DerivedValues<Compiled>();

  /**
   * @param plainTypes object types whose values are plain data (no promises, no methods, no
   *   defaults): NestJS's property-reading resolver is taken off their fields, so that the compiled
   *   code reads the properties inline instead of calling a resolver per field. For the rows and
   *   cells of an aggregate result, of which one response may hold thousands.
   */
  constructor(private readonly plainTypes: readonly string[] = []) {}

  /** Pass as NestJS's `transformSchema`: the executor needs the schema NestJS generated. */
  readonly captureSchema = (schema: GraphQLSchema): GraphQLSchema => {
    for (const name of this.plainTypes) {
      const type = schema.getType(name);
      if (!(type instanceof GraphQLObjectType)) {
        throw new Error(`CompiledExecutor: plain type ${name} is not an object type of the schema`);
      }
      for (const field of Object.values(type.getFields())) {
        // Only NestJS's own default (`root[field]`, or the field's default value when undefined);
        // a real resolver (@ResolveField, field middleware) stays.
        if (field.resolve?.name === NEST_PROPERTY_RESOLVER) field.resolve = undefined;
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
    return result;
  }

  private compile(document: DocumentNode, operationName: string | undefined): Compiled {
    return this.compiled.get([document], operationName ?? '', () =>
      compileQuery(this.requireSchema(), document, operationName),
    );
  }

  private requireSchema(): GraphQLSchema {
    if (!this.schema) throw new Error('CompiledExecutor: the schema was not captured (transformSchema not wired)');
    return this.schema;
  }
}

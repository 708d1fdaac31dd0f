import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import {
  buildSchema,
  execute,
  ExecutionResult,
  getOperationAST,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  parse,
} from 'graphql';
import { CompiledExecutor } from './compiled-executor.js';
import { GatewayError } from './errors.js';

const SDL = `
  type Cell { measure: String!  value: Float  flags: [String!]! }
  type Row { keys: [String!]!  cells: [Cell!]! }
  type Result { columns: [String!]!  rows: [Row!]!  auditEventId: ID! }
  input Q { dataset: String!  limit: Int }
  type Query { aggregate(q: Q!): Result!  boom: String }
  type Mutation { touch: Boolean! }
`;

function schemaWithResolvers(): GraphQLSchema {
  const schema = buildSchema(SDL);
  const rows = Array.from({ length: 50 }, (_, i) => ({
    keys: [`k${i}`, '2021-01'],
    cells: [
      { measure: 'cases', value: i === 3 ? null : i * 10, flags: i === 3 ? ['suppressed'] : [] },
      { measure: 'avgHandlingDays', value: i / 4, flags: [] },
    ],
  }));
  schema.getQueryType()!.getFields().aggregate.resolve = (_root, args: { q: { dataset: string; limit?: number } }) => ({
    columns: [args.q.dataset],
    rows: rows.slice(0, args.q.limit ?? rows.length),
    auditEventId: Promise.resolve('evt-1'),
  });
  schema.getQueryType()!.getFields().boom.resolve = () => {
    throw new GatewayError('FORBIDDEN', 'not for you');
  };
  schema.getMutationType()!.getFields().touch.resolve = () => true;
  // As NestJS does: every field of an object type has a resolver reading the property (graphql-jit,
  // unlike graphql-js, does not wait for a promise held in a field that has no resolver).
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      field.resolve ??= (root: Record<string, unknown>) => root[field.name];
    }
  }
  return schema;
}

async function run(executor: CompiledExecutor, schema: GraphQLSchema, query: string, variables?: object) {
  const document = parse(query);
  const operation = getOperationAST(document) as OperationDefinitionNode;
  const { executor: exec } = await executor.load();
  const request = {
    document,
    operation,
    operationName: null,
    request: { query, variables },
    context: {},
    schema,
  } as unknown as GatewayGraphQLRequestContext;
  return exec(request) as Promise<ExecutionResult>;
}

describe(CompiledExecutor.name, () => {
  let schema: GraphQLSchema;
  let sut: CompiledExecutor;

  beforeEach(() => {
    schema = schemaWithResolvers();
    sut = new CompiledExecutor();
    sut.captureSchema(schema);
  });

  it('answers exactly what graphql-js answers, for nested lists, nulls and promises', async () => {
    const query = `query($q: Q!) { aggregate(q: $q) { columns rows { keys cells { measure value flags } } auditEventId } }`;
    const variables = { q: { dataset: 'hotline-cases', limit: 20 } };
    const compiled = await run(sut, schema, query, variables);
    const interpreted = await execute({ schema, document: parse(query), variableValues: variables });
    expect(compiled).toEqual(interpreted);
    expect(compiled.data?.aggregate).toMatchObject({ auditEventId: 'evt-1' });
  });

  it('gives a wrong variable graphql-js own error, with the variable node Apollo needs for BAD_USER_INPUT', async () => {
    const query = `query($q: Q!) { aggregate(q: $q) { columns } }`;
    const variables = { q: { dataset: 5, extra: true } };
    const compiled = await run(sut, schema, query, variables);
    const interpreted = await execute({ schema, document: parse(query), variableValues: variables });
    expect(compiled.data).toBeUndefined();
    expect(compiled.errors?.map((e) => e.message)).toEqual(interpreted.errors?.map((e) => e.message));
    expect(compiled.errors?.[0].nodes?.[0].kind).toBe('VariableDefinition');
  });

  it('keeps a resolver error as thrown, so that the error formatter sees its code', async () => {
    const result = await run(sut, schema, `{ boom }`);
    expect(result.data).toEqual({ boom: null });
    expect(result.errors?.[0].originalError).toBeInstanceOf(GatewayError);
    expect(result.errors?.[0].path).toEqual(['boom']);
  });

  it('runs mutations, and refuses an operation type the schema does not have with BAD_USER_INPUT', async () => {
    expect((await run(sut, schema, `mutation { touch }`)).data).toEqual({ touch: true });
    const result = await run(sut, schema, `subscription { x }`);
    expect(result.errors?.[0]).toBeInstanceOf(GatewayError);
    expect((result.errors?.[0] as GatewayError).code).toBe('BAD_USER_INPUT');
  });

  it('refuses to start without the schema NestJS generated', async () => {
    await expect(new CompiledExecutor().load()).rejects.toThrow(/transformSchema/);
  });
});

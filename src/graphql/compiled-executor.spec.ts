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
import { GatewayError } from '../common/gateway-error.js';
import { CompiledExecutor, readsOwnProperty } from './compiled-executor.js';

const SDL = `
  type Cell { measure: String!  value: Float  flags: [String!]! }
  type Row { keys: [String!]!  cells: [Cell!]! }
  type Result { columns: [String!]!  rows: [Row!]!  auditEventId: ID! }
  input Q { dataset: String!  limit: Int }
  type Query { aggregate(q: Q!): Result!  boom: String }
  type Mutation { touch: Boolean! }
`;

/** Like NestJS's own default resolver: the property, or the field's default value when undefined. */
function nestPropertyResolver(name: string, defaultValue?: unknown) {
  return (root: Record<string, unknown>) => (root[name] === undefined ? defaultValue : root[name]);
}

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
      field.resolve ??= nestPropertyResolver(field.name);
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

  it('gives an error without extensions the empty extensions graphql-js gives it (Apollo reads their code)', async () => {
    schema.getQueryType()!.getFields().boom.resolve = async () => {
      throw Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' });
    };
    const query = `{ boom }`;
    const compiled = await run(sut, schema, query);
    const interpreted = await execute({ schema, document: parse(query) });
    expect(compiled).toEqual(interpreted);
    expect(compiled.errors?.[0].extensions).toEqual({});
    expect(compiled.errors?.[0].toJSON()).toEqual(interpreted.errors?.[0].toJSON());
    expect((compiled.errors?.[0].originalError as { code?: string }).code).toBe('22P02');
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

  describe('plain types', () => {
    it('reads their fields inline: NestJS default resolvers are taken off, other resolvers stay', () => {
      const custom = () => ['x'];
      (schema.getType('Row') as GraphQLObjectType).getFields().keys.resolve = custom;
      new CompiledExecutor(['Row', 'Cell']).captureSchema(schema);
      const row = (schema.getType('Row') as GraphQLObjectType).getFields();
      const cell = (schema.getType('Cell') as GraphQLObjectType).getFields();
      expect(row.cells.resolve).toBeUndefined();
      expect(cell.value.resolve).toBeUndefined();
      expect(row.keys.resolve).toBe(custom);
      // Not named plain: keeps its resolver (auditEventId holds a promise).
      expect((schema.getType('Result') as GraphQLObjectType).getFields().auditEventId.resolve).toBeDefined();
    });

    it('still answers what graphql-js answers', async () => {
      const plain = new CompiledExecutor(['Row', 'Cell']);
      plain.captureSchema(schema);
      const query = `query($q: Q!) { aggregate(q: $q) { rows { keys cells { measure value flags } } auditEventId } }`;
      const variables = { q: { dataset: 'hotline-cases' } };
      const compiled = await run(plain, schema, query, variables);
      expect(compiled).toEqual(await execute({ schema, document: parse(query), variableValues: variables }));
    });

    it('keeps a resolver that does more than read the property: a default value, a promise, another property', () => {
      const row = (schema.getType('Row') as GraphQLObjectType).getFields();
      const cell = (schema.getType('Cell') as GraphQLObjectType).getFields();
      const withDefault = nestPropertyResolver('flags', []);
      const promised = async (root: Record<string, unknown>) => root.value;
      const other = (root: Record<string, unknown>) => root.name;
      cell.flags.resolve = withDefault;
      cell.value.resolve = promised;
      cell.measure.resolve = other;
      const throwing = () => {
        throw new Error('needs a request');
      };
      row.keys.resolve = throwing;
      new CompiledExecutor(['Row', 'Cell']).captureSchema(schema);
      expect([cell.flags.resolve, cell.value.resolve, cell.measure.resolve, row.keys.resolve]).toEqual([
        withDefault,
        promised,
        other,
        throwing,
      ]);
      expect(row.cells.resolve).toBeUndefined();
      expect(readsOwnProperty(cell.flags)).toBe(false);
      expect(readsOwnProperty(row.cells)).toBe(true);
    });

    it('gives a field without a resolver outside the plain types one, so that a promise in it is awaited', async () => {
      const bare = buildSchema(SDL);
      bare.getQueryType()!.getFields().aggregate.resolve = () => ({
        columns: [],
        rows: [],
        auditEventId: Promise.resolve('evt-2'),
      });
      const executor = new CompiledExecutor(['Row', 'Cell']);
      executor.captureSchema(bare);
      const result = (bare.getType('Result') as GraphQLObjectType).getFields();
      expect(result.auditEventId.resolve).toBeDefined();
      expect((bare.getType('Cell') as GraphQLObjectType).getFields().value.resolve).toBeUndefined();
      const answer = await run(executor, bare, `{ aggregate(q: { dataset: "x" }) { auditEventId } }`);
      expect(answer).toEqual({ data: { aggregate: { auditEventId: 'evt-2' } } });
    });

    it('refuses a name that is not an object type of the schema', () => {
      expect(() => new CompiledExecutor(['Nope']).captureSchema(schema)).toThrow(/Nope/);
      expect(() => new CompiledExecutor(['Q']).captureSchema(schema)).toThrow(/Q is not an object type/);
    });
  });
});

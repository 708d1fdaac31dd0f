import { createTestApp, TestApp } from './utils/create-test-app.js';

const INTERNALS = /stacktrace|\n\s+at |\.(?:ts|js):\d+|node_modules|Apollo Server|QueryFailedError|SELECT /;

describe('the HTTP edge: limits and errors people can act on', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const tooComplex = async (query: string, pattern: RegExp) => {
    const res = await t.gql(query).expect(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toMatch(pattern);
    expect(res.body.errors[0].extensions.limits).toMatchObject({ maxDepth: 8, maxAliases: 15, maxTokens: 1000 });
  };

  it('refuses queries over the depth, alias, directive and token limits with QUERY_TOO_COMPLEX', async () => {
    let deep = '__typename';
    for (let i = 0; i < 3; i += 1) deep = `__type(name: "Query") { fields { type { ofType { ${deep} } } } }`;
    await tooComplex(`{ ${deep} }`, /depth limit of 8 exceeded/);
    await tooComplex(
      `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: datasets { slug }`).join(' ')} }`,
      /Aliases limit of 15 exceeded, found 16/,
    );
    await tooComplex(`{ __typename ${'@include(if: true) '.repeat(21)}}`, /Directives limit of 20 exceeded/);
    await tooComplex(`{ ${'__typename '.repeat(1_001)}}`, /Token limit of 1000 exceeded/);
    // Within depth, aliases and tokens, but each field deep down costs 1.5^depth.
    const costly = `{ __type(name: "Query") { fields { type { ofType { ofType { ofType { ${'name '.repeat(700)}} } } } } } }`;
    await tooComplex(costly, /Query Cost limit of 5000 exceeded/);
  });

  it('accepts a realistic catalog query within the limits', async () => {
    const res = await t
      .gql('{ datasets { slug dimensions { code levels { code } } measures { code unit } } }')
      .expect(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('answers an over-size body with 413 and QUERY_TOO_COMPLEX', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ query: `{ dataset(slug: "${'x'.repeat(110_000)}") { slug } }` }))
      .expect(413);
    expect(res.body.errors[0]).toEqual({
      message: 'The request body is larger than 100kb; send a shorter query and pass long lists as variables.',
      extensions: { code: 'QUERY_TOO_COMPLEX' },
    });
  });

  it('refuses batches, invalid JSON, NUL characters and other methods, GraphQL-shaped', async () => {
    const post = (body: string) => t.http().post('/graphql').set('Content-Type', 'application/json').send(body);
    const batch = await post('[{"query":"{ __typename }"},{"query":"{ __typename }"}]').expect(400);
    expect(batch.body.errors[0].message).toMatch(/one operation per request/);
    const invalid = await post('{"query": ').expect(400);
    expect(invalid.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(invalid.body.errors[0].message).toMatch(/not valid JSON/);
    const nul = await t.gql('query($s: String!) { dataset(slug: $s) { slug } }', { s: 'a\u0000b' }).expect(400);
    expect(nul.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(nul.body.errors[0].message).toMatch(/NUL character/);
    const put = await t.http().put('/graphql').set('Content-Type', 'application/json').send('{}').expect(405);
    expect(put.body.errors[0]).toEqual({
      message: 'Only GET and POST are allowed on /graphql.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    for (const res of [batch, invalid, nul, put]) expect(JSON.stringify(res.body)).not.toMatch(INTERNALS);
  });

  it('answers unknown routes with a JSON 404 that lists the real ones', async () => {
    const res = await t.http().get('/admin/.env').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.code).toBe('BAD_USER_INPUT');
    expect(res.body.error.message).toMatch(/nothing at GET \/admin\/\.env.*POST or GET \/graphql/);
  });

  it('gives no field suggestions', async () => {
    const res = await t.gql('{ datasetz { slugg } }').expect(400);
    expect(res.body.errors[0].message).toBe('Cannot query field "datasetz" on type "Query".');
    expect(JSON.stringify(res.body)).not.toMatch(/Did you mean/);
  });

  it('needs a preflight-forcing header on GET (CSRF prevention), and then answers', async () => {
    const blocked = await t.http().get('/graphql').query({ query: '{ __typename }' }).expect(400);
    expect(blocked.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(blocked.body.errors[0].message).toMatch(/apollo-require-preflight/);
    const ok = await t
      .http()
      .get('/graphql')
      .query({ query: '{ __typename }' })
      .set('apollo-require-preflight', '1')
      .expect(200);
    expect(ok.body).toEqual({ data: { __typename: 'Query' } });
  });
});

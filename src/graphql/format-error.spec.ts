import { GraphQLError } from 'graphql';
import { GatewayError } from '../common/gateway-error.js';
import { formatError, withoutSuggestions } from './format-error.js';

describe(formatError.name, () => {
  it('keeps a GatewayError that Apollo rewrapped as a validation failure (query limits)', () => {
    const limit = new GatewayError('QUERY_TOO_COMPLEX', 'The query is too complex: Aliases limit of 15 exceeded.');
    const wrapped = new GraphQLError(limit.message, {
      originalError: limit,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const sut = formatError({ message: wrapped.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, wrapped);
    expect(sut.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(sut.message).toMatch(/Aliases limit of 15/);
  });

  it('maps the parser token limit to QUERY_TOO_COMPLEX', () => {
    const message = 'Syntax Error: Document contains more that 1000 tokens. Parsing aborted.';
    const sut = formatError({ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }, new GraphQLError(message));
    expect(sut.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(sut.message).toMatch(/Token limit of 1000 exceeded/);
  });

  it('maps a cancelled statement to QUERY_TOO_COMPLEX and hides the database text', () => {
    const cause = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const error = new GraphQLError(cause.message, { originalError: cause, path: ['aggregate'] });
    const sut = formatError({ message: cause.message, path: ['aggregate'] }, error);
    expect(sut).toMatchObject({ path: ['aggregate'], extensions: { code: 'QUERY_TOO_COMPLEX' } });
    expect(sut.message).not.toMatch(/statement timeout/);
  });

  it('removes field suggestions and rewords Apollo transport messages', () => {
    const suggestion = 'Cannot query field "slugg" on type "Dataset". Did you mean "slug"?';
    expect(formatError({ message: suggestion, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, null).message).toBe(
      'Cannot query field "slugg" on type "Dataset".',
    );
    expect(formatError({ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }, null)).toEqual(
      {
        message: 'Batched operations (a JSON array body) are not accepted; send one operation per request.',
        locations: undefined,
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  });

  it('masks anything unexpected, with no stack or internal text', () => {
    const error = new Error('relation "case_record" does not exist');
    const sut = formatError(
      { message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x.js:1'] } },
      error,
    );
    expect(sut.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(JSON.stringify(sut)).not.toMatch(/case_record|stacktrace/);
  });
});

describe(withoutSuggestions.name, () => {
  it('removes enum-value and argument suggestions too', () => {
    expect(
      withoutSuggestions('Value "AS" does not exist in "SortDirection" enum. Did you mean the enum value "ASC"?'),
    ).toBe('Value "AS" does not exist in "SortDirection" enum.');
    expect(withoutSuggestions('Unknown argument "slg". Did you mean "slug" or "slugs"?')).toBe(
      'Unknown argument "slg".',
    );
  });
});

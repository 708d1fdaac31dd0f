import { GraphQLError } from 'graphql';
import { GatewayError } from './gateway-error.js';
import { classifyInfrastructureError } from './infrastructure-errors.js';

const pgError = (code: string, message = 'db said no') => Object.assign(new Error(message), { code });

describe(classifyInfrastructureError.name, () => {
  it.each([
    [
      'a cancelled statement (57014)',
      pgError('57014', 'canceling statement due to statement timeout'),
      'QUERY_TOO_COMPLEX',
    ],
    [
      'a TypeORM QueryFailedError around 57014',
      Object.assign(new Error('Query failed'), { driverError: pgError('57014') }),
      'QUERY_TOO_COMPLEX',
    ],
    ['a refused connection', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'SERVICE_UNAVAILABLE'],
    [
      "Node's AggregateError of socket errors",
      Object.assign(new Error(''), { errors: [pgError('ECONNREFUSED'), pgError('ECONNREFUSED')] }),
      'SERVICE_UNAVAILABLE',
    ],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect'), 'SERVICE_UNAVAILABLE'],
    ['a dropped connection', new Error('Connection terminated unexpectedly'), 'SERVICE_UNAVAILABLE'],
    ['an admin shutdown (57P01)', pgError('57P01'), 'SERVICE_UNAVAILABLE'],
    ['a connection exception (08006)', pgError('08006'), 'SERVICE_UNAVAILABLE'],
    ['a NUL byte in text (22021)', pgError('22021'), 'BAD_USER_INPUT'],
    [
      'a resolver error wrapping 57014',
      new GraphQLError('wrapped', { originalError: pgError('57014') }),
      'QUERY_TOO_COMPLEX',
    ],
  ])('maps %s', (_label, error, code) => {
    const sut = classifyInfrastructureError(error);
    expect(sut).toBeInstanceOf(GatewayError);
    expect(sut?.code).toBe(code);
    expect(sut?.message).not.toMatch(/57014|ECONNREFUSED|127\.0\.0\.1|statement timeout|terminated/);
  });

  it('leaves other errors to the caller', () => {
    expect(classifyInfrastructureError(new Error('boom'))).toBeUndefined();
    expect(classifyInfrastructureError(pgError('23505'))).toBeUndefined();
    expect(classifyInfrastructureError(new GatewayError('FORBIDDEN', 'no'))).toBeUndefined();
    expect(classifyInfrastructureError('a string')).toBeUndefined();
    expect(classifyInfrastructureError(null)).toBeUndefined();
  });
});

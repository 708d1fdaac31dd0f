import { isConnectionError, isRecoveryConflict } from './read-router.js';

describe('isConnectionError', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5439' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006', message: 'connection failure' }],
    [{ message: 'Connection terminated unexpectedly' }],
    [{ message: 'timeout exceeded when trying to connect' }],
    [{ message: 'Query read timeout' }],
  ])('takes %j for a replica that is gone', (err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it.each([
    [{ code: '42P01', message: 'relation "rollup_x" does not exist' }],
    [{ code: '57014', message: 'canceling statement due to statement timeout' }],
    [{ code: '22P02', message: 'invalid input syntax for type integer' }],
    [undefined],
  ])('does not take %j for one (the statement is at fault, not the replica)', (err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});

describe('isRecoveryConflict', () => {
  it('takes a standby cancelling a read for the changes it replays', () => {
    expect(isRecoveryConflict({ code: '40001', message: 'canceling statement due to conflict with recovery' })).toBe(
      true,
    );
    expect(isRecoveryConflict({ code: '42P01', message: 'relation does not exist' })).toBe(false);
  });
});

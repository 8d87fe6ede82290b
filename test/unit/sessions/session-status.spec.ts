import { isAllowedTransition, SESSION_STATUSES } from '../../../src/modules/sessions';

describe('session lifecycle table', () => {
  const allowed = [
    'CREATED→ACTIVE',
    'CREATED→TERMINATED',
    'ACTIVE→ACTIVE',
    'ACTIVE→PAUSED',
    'PAUSED→ACTIVE',
    'PAUSED→PAUSED',
    'PAUSED→TERMINATED',
    'TERMINATED→TERMINATED',
  ];

  it('allows exactly the documented transitions', () => {
    const actual = SESSION_STATUSES.flatMap((from) =>
      SESSION_STATUSES.filter((to) => isAllowedTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(actual.sort()).toEqual([...allowed].sort());
  });
});

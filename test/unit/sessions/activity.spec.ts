import { describeActivity, renderCatchUp } from '../../../src/modules/sessions';

describe('activity lines', () => {
  it.each([
    [{ kind: 'file_edit', details: { path: 'src/app.ts' } }, 'edited src/app.ts'],
    [
      { kind: 'command', details: { command: 'npm test', outcome: '12 passed' } },
      'ran npm test (12 passed)',
    ],
    [{ kind: 'command', details: { command: 'ls' } }, 'ran ls'],
    [
      { kind: 'tool', details: { tool: 'WebFetch', target: 'example.org' } },
      'used WebFetch on example.org',
    ],
    [
      { kind: 'turn_result', details: { ok: true, summary: 'added a 404' } },
      'finished a turn: added a 404',
    ],
    [{ kind: 'turn_result', details: { ok: false } }, 'stopped a turn with an error'],
    [{ kind: 'error', details: { message: 'API 401' } }, 'hit an error: API 401'],
    [{ kind: 'note', details: { text: 'multi\n  line\ttext' } }, 'multi line text'],
  ] as const)('describes %j as %p', (entry, line) => {
    expect(describeActivity(entry)).toBe(line);
  });

  it('clips long lines to 100 characters', () => {
    const line = describeActivity({ kind: 'command', details: { command: 'x'.repeat(300) } });
    expect(line).toHaveLength(100);
    expect(line.endsWith('…')).toBe(true);
  });

  it('renders a catch-up with a header, one line per entry and the count of trimmed entries', () => {
    expect(renderCatchUp(['edited a.ts', 'ran npm test (12 passed)'], 0)).toBe(
      'While you were away, Claude did 2 things:\n• edited a.ts\n• ran npm test (12 passed)',
    );
    expect(renderCatchUp(['edited a.ts'], 37)).toBe(
      'While you were away, Claude did 38 things:\n• edited a.ts\n… and 37 more',
    );
    expect(renderCatchUp(['edited a.ts'], 0)).toBe(
      'While you were away, Claude did 1 thing:\n• edited a.ts',
    );
  });
});

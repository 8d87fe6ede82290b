import { parsePrometheusText } from '../../../src/tools/prometheus-text';

describe('parsePrometheusText', () => {
  it('reads names, labels (escapes included) and values, and skips comments', () => {
    const text = [
      '# HELP bridge_sessions Sessions by lifecycle status.',
      '# TYPE bridge_sessions gauge',
      'bridge_sessions{status="ACTIVE",service="claude-signal-bridge"} 1',
      'bridge_outbox_depth 3 1767225600000',
      'odd{path="C:\\\\tmp",quote="say \\"hi\\"",lines="a\\nb"} +Inf',
      'bridge_turn_duration_seconds_sum NaN',
      '',
      'not a sample',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      {
        name: 'bridge_sessions',
        labels: { status: 'ACTIVE', service: 'claude-signal-bridge' },
        value: 1,
      },
      { name: 'bridge_outbox_depth', labels: {}, value: 3 },
      {
        name: 'odd',
        labels: { path: 'C:\\tmp', quote: 'say "hi"', lines: 'a\nb' },
        value: Infinity,
      },
      { name: 'bridge_turn_duration_seconds_sum', labels: {}, value: NaN },
    ]);
  });
});

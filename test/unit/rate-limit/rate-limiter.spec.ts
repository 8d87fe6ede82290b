import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { FakeClock } from '../../../src/common/clock';
import { RateLimiter } from '../../../src/modules/rate-limit';
import { testConfig } from '../../utils/test-config';
import { makeTempDir } from '../../utils/temp-dir';

describe('RateLimiter logs', () => {
  afterEach(() => jest.restoreAllMocks());

  it('never log a captcha challenge token whole', () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const temp = makeTempDir();
    try {
      const limiter = new RateLimiter(new FakeClock(), testConfig(temp.path), new Registry());
      const token = '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
      limiter.onProofRequired(token);
      expect(errors.mock.calls).toEqual([
        [
          {
            msg: 'Signal requires a captcha before sending more; send /captcha signalcaptcha://… from the phone',
            challengeToken: '5a1e…3a4b',
          },
        ],
      ]);
      expect(JSON.stringify(errors.mock.calls)).not.toContain(token);
      expect(limiter.challenge).toBe(token); // kept whole for answering Signal
    } finally {
      temp.remove();
    }
  });
});

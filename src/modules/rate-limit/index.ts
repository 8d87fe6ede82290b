export * from './captcha.commands';
export * from './rate-limit.errors';
export * from './rate-limit.module';
export * from './rate-limiter.service';

export * from './readiness-check.decorator';

export * from './discovery.module';
export * from './method-discovery';

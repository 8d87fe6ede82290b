/** Every entity, listed explicitly so compiled, ts-jest and CLI runs load the same set. */
export const ENTITIES: readonly (new () => unknown)[] = [];

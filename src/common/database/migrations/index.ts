import { InitialSchema1764338400000 } from './1764338400000-initial-schema';

/** Every migration in order. A new one is generated with `npm run migration:generate` and added here. */
export const MIGRATIONS = [InitialSchema1764338400000];

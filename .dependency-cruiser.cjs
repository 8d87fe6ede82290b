/**
 * `npm run lint`'s dependency rules (dependency-cruiser), over every TypeScript file including
 * type-only imports: an import cycle fails the lint even when it would vanish at run time.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Files import one way. A cycle, even through `import type`, is one edit away from a module that is undefined at load time: move the shared type down (src/common) instead.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'common-is-below-the-modules',
      severity: 'error',
      comment:
        'src/common serves every module and imports none. The one exception: common/database/entities.ts lists the entities of the modules that own tables (sessions, signal, outbox, approvals, agent, recovery), since TypeORM needs them all in one DataSource.',
      from: { path: '^src/common/', pathNot: '^src/common/database/entities\\.ts$' },
      to: { path: '^src/modules/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};

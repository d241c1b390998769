/**
 * The layering of DESIGN.md, checked: HTTP → methods → core → store, with protocol (wire formats, pure) used
 * by http, methods and the worker, never by the core. `npm test` runs these rules (test/layering.test.ts).
 */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'no module may depend on itself through others', from: {}, to: { circular: true } },
    {
      name: 'protocol-is-pure',
      severity: 'error',
      comment: 'protocol/ (wire formats) imports nothing of ours but protocol/',
      from: { path: '^src/protocol/' },
      to: { path: '^src/', pathNot: '^src/protocol/' },
    },
    {
      name: 'core-speaks-no-wire',
      severity: 'error',
      comment: 'the core reports facts: it imports no http, methods, protocol, worker or cli',
      from: { path: '^src/core/' },
      to: { path: '^src/(http|methods|protocol|worker|cli)/' },
    },
    {
      name: 'store-holds-no-logic',
      severity: 'error',
      comment: 'the store imports nothing of the core: the domain types it shares with the core are in src/interfaces.ts',
      from: { path: '^src/store/' },
      to: { path: '^src/(core|http|methods|protocol|worker|cli)/' },
    },
    {
      name: 'domain-types-stand-alone',
      severity: 'error',
      comment: 'src/interfaces.ts (the domain types and glossary) imports nothing of ours: every layer may lean on it',
      from: { path: '^src/interfaces\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'methods-and-http-go-through-the-core',
      severity: 'error',
      comment: 'methods/ and http/ call the core, not the store\'s queries',
      from: { path: '^src/(methods|http)/' },
      to: { path: '^src/store/sql/' },
    },
    {
      name: 'methods-know-no-http',
      severity: 'error',
      from: { path: '^src/methods/' },
      to: { path: '^src/(http|cli)/' },
    },
    {
      name: 'the-kit-sits-on-top',
      severity: 'error',
      comment:
        'src/kit/ (the test kit) starts and drives the server as a merchant\'s suite would; nothing of the server imports it (the CLI, which talks to a running server, shares its admin client)',
      from: { path: '^src/', pathNot: '^src/(kit|cli)/' },
      to: { path: '^src/kit/' },
    },
    {
      name: 'no-dev-tools-at-run-time',
      severity: 'error',
      comment: 'what runs in production imports no dev dependency; only the schema tools (npm run schema:dump) may',
      from: { path: '^src/', pathNot: '^src/store/schema-dump/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'schema-tools-stay-tools',
      severity: 'error',
      comment: 'src/store/schema-dump/ writes the committed dump and types; nothing at run time imports it',
      from: { path: '^src/', pathNot: '^src/store/schema-dump/' },
      to: { path: '^src/store/schema-dump/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};

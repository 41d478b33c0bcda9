/*
 * The import boundaries of the house (README "Layout", ../shared whiteboard "never" list, issue #15),
 * checked by `npm run boundaries` in `npm test`. Paths are relative to the repository root.
 * Type-only imports count: a type import still ties one room to another.
 */

/** The domain: use cases, the engine, the device model, the integrations, accounts and the platform rooms. */
const domain = '^lib/(access-codes|engine|devices|locks|providers|connected-accounts|principals|workspaces|events|action-attempts|webhooks)/';
const local = '^lib/(local|cli|console)/';
const cdk = ['^infra/', '(^|/)node_modules/(aws-cdk-lib|constructs)/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-no-adapters',
      comment: 'The domain knows no DynamoDB or AWS service: it depends on lib/ports.ts, and the wiring passes adapters in.',
      severity: 'error',
      from: { path: domain },
      to: { path: '^lib/adapters/' },
    },
    {
      name: 'domain-no-http',
      comment: 'The domain knows no HTTP: lib/http/ parses requests and maps domain errors to answers.',
      severity: 'error',
      from: { path: domain },
      to: { path: '^lib/http/' },
    },
    {
      name: 'no-cdk-at-run-time',
      comment: 'The domain and the handlers run in Lambda: no CDK (infra/, aws-cdk-lib, constructs) at run time.',
      severity: 'error',
      from: { path: [domain, '^functions/'] },
      to: { path: cdk },
    },
    {
      name: 'devices-no-codes-engine-providers',
      comment: 'The device model and the provider port know no codes, no engine and no integration.',
      severity: 'error',
      from: { path: '^lib/devices/' },
      to: { path: '^lib/(access-codes|engine|providers)/' },
    },
    {
      name: 'locks-no-codes-engine-providers',
      comment: 'Remote lock and unlock reach a lock through the provider port on the deps, like the codes do.',
      severity: 'error',
      from: { path: '^lib/locks/' },
      to: { path: '^lib/(access-codes|engine|providers)/' },
    },
    {
      name: 'providers-no-codes-engine',
      comment: 'A provider answers and the engine drives: inbound reports reach the engine through the engine port on the deps.',
      severity: 'error',
      from: { path: '^lib/providers/' },
      to: { path: '^lib/(access-codes|engine)/' },
    },
    {
      name: 'providers-not-each-other',
      comment: 'No integration folder imports another (the shared face in lib/providers/*.ts is allowed): shared ideas (derived ids) live in lib/devices/.',
      severity: 'error',
      from: { path: '^lib/providers/([^/]+)/' },
      to: { path: '^lib/providers/[^/]+/', pathNot: '^lib/providers/$1/' },
    },
    {
      name: 'accounts-no-engine-providers',
      comment: 'Accounts hand work on through a port and reach integrations through the registry.',
      severity: 'error',
      from: { path: '^lib/connected-accounts/' },
      to: { path: '^lib/(engine|providers)/' },
    },
    {
      name: 'codes-no-engine-providers',
      comment: 'Use cases record intent and know the provider port, not the engine or the integrations.',
      severity: 'error',
      from: { path: '^lib/access-codes/' },
      to: { path: '^lib/(engine|providers)/' },
    },
    {
      name: 'engine-no-providers',
      comment: 'The engine asks the provider port (lib/devices/), never an integration.',
      severity: 'error',
      from: { path: '^lib/engine/' },
      to: { path: '^lib/providers/' },
    },
    {
      name: 'edge-only-hub-contract',
      comment: 'The edge agent is a second program: it imports its own files, npm packages, Node built-ins and lib/hub-contract/ only.',
      severity: 'error',
      from: { path: '^edge/' },
      to: { dependencyTypes: ['local'], pathNot: ['^edge/', '^lib/hub-contract/'] },
    },
    {
      name: 'hub-contract-self-contained',
      comment: 'The agent bundles the hub contract: it imports its own files and npm packages only, or the agent would reach the rest of lib/ through it.',
      severity: 'error',
      from: { path: '^lib/hub-contract/' },
      to: { dependencyTypes: ['local'], pathNot: '^lib/hub-contract/' },
    },
    {
      name: 'handlers-no-local-or-edge',
      comment: 'No local tooling (npm start, the CLI, the console) and no edge agent code in a Lambda.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: [local, '^edge/'] },
    },
    {
      name: 'adapters-no-handlers',
      comment: 'Adapters serve, they do not route.',
      severity: 'error',
      from: { path: '^lib/adapters/' },
      to: { path: '^functions/' },
    },
    {
      name: 'wiring-no-local',
      comment: "The Lambda's wiring knows no local mode: lib/local/ builds on the wiring, not the other way.",
      severity: 'error',
      from: { path: ['^lib/(deps|triggers)\\.ts$', '^lib/wiring/'] },
      to: { path: local },
    },
    {
      name: 'no-circular',
      comment: 'No import circle: a helper that needs to write returns an outcome instead of importing the writer.',
      severity: 'error',
      from: { path: '^(lib|functions|edge)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'A relative import that does not resolve cannot be checked against the rules above (npm packages are checked by tsc).',
      severity: 'error',
      from: { path: '^(lib|functions|edge)/' },
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc (a devDependency already) reads TS and sees type-only imports.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: '(^|/)node_modules/' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

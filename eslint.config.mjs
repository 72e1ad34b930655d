import { readdirSync, readFileSync, existsSync } from 'node:fs';
import nx from '@nx/eslint-plugin';

// No deep imports: a library is used through its package.json `exports` only (its index or a named subpath).
const deepImports = { group: ['@watchkeeper/*/dist', '@watchkeeper/*/dist/*', '@watchkeeper/*/src', '@watchkeeper/*/src/*'], message: 'import the package or one of its package.json exports, not its files' };

// libs/dal has one entry per service (`@watchkeeper/dal/<service>`): a project tagged `scope:<service>`
// may import its own service's entry and the shared ones, never another service's collections.
const dalServices = ['receiver', 'alert-dispatcher', 'log-collector', 'heartbeat-server'];
const root = new URL('.', import.meta.url);
const dalScopeRules = ['apps', 'libs'].flatMap((dir) =>
  readdirSync(new URL(dir, root))
    .filter((name) => existsSync(new URL(`${dir}/${name}/package.json`, root)))
    .flatMap((name) => {
      const tags = JSON.parse(readFileSync(new URL(`${dir}/${name}/package.json`, root), 'utf8')).nx?.tags ?? [];
      const scope = tags.find((t) => t.startsWith('scope:'))?.slice('scope:'.length);
      if (!scope) return []; // tooling: any lib
      const others = dalServices.filter((s) => s !== scope).map((s) => `@watchkeeper/dal/${s}`);
      return [
        {
          files: [`${dir}/${name}/**/*.ts`],
          rules: { 'no-restricted-imports': ['error', { patterns: [deepImports, { group: others, message: `scope:${scope} may use its own collections (@watchkeeper/dal/${scope}) and @watchkeeper/dal/shared only` }] }] },
        },
      ];
    }),
);

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/*.cjs', '**/bin/*.js', 'bench/.work', '.run', '.nx'] },
  {
    files: ['**/*.ts'],
    rules: {
      // Architecture as a rule: apps are wiring and may use any lib, never another app;
      // contracts depend on nothing of ours; runtime libs only on contracts and each other.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:runtime', 'type:domain'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:runtime', 'type:domain'] },
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:contracts', 'type:runtime'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            // deployment checks and other tooling: any lib, never an app (they may read apps' files from disk)
            { sourceTag: 'type:tooling', notDependOnLibsWithTags: ['type:app'] },
            // A service's code uses its own libraries and the shared ones, never another service's.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:receiver', onlyDependOnLibsWithTags: ['scope:shared', 'scope:receiver'] },
            { sourceTag: 'scope:alert-dispatcher', onlyDependOnLibsWithTags: ['scope:shared', 'scope:alert-dispatcher'] },
            { sourceTag: 'scope:log-collector', onlyDependOnLibsWithTags: ['scope:shared', 'scope:log-collector'] },
            { sourceTag: 'scope:heartbeat-server', onlyDependOnLibsWithTags: ['scope:shared', 'scope:heartbeat-server'] },
            { sourceTag: 'scope:heartbeat-client', onlyDependOnLibsWithTags: ['scope:shared', 'scope:heartbeat-client'] },
          ],
        },
      ],
      // A library is used through its package.json `exports` only (its index or a named subpath).
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...dalScopeRules,
];

import eslint from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', '.bench/', 'bench/peer/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.cjs', 'test/setup/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
      // Interface methods (Apollo plugins, factories) are async by contract.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Roles in one place (docs/architecture.md, "Recipe: add a role"): every role decision is a
    // CASL rule or a field of the role's definition in src/access-policy/roles.ts; nothing else
    // compares a role. Ask `ability.can(...)`, `CaslAbilityFactory.reachOf(...)` or `roleDefinition(role)`.
    files: ['src/**/*.ts'],
    ignores: ['src/access-policy/roles.ts', '**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          'BinaryExpression[operator=/^[!=]==?$/] > MemberExpression.left[property.name=/^(role|principal_role)$/]',
          'BinaryExpression[operator=/^[!=]==?$/] > MemberExpression.right[property.name=/^(role|principal_role)$/]',
          'BinaryExpression[operator=/^[!=]==?$/] > Identifier[name=/^(role|principalRole)$/]',
          'SwitchStatement > MemberExpression.discriminant[property.name=/^(role|principal_role)$/]',
          'SwitchStatement > Identifier.discriminant[name=/^(role|principalRole)$/]',
          'CallExpression[callee.property.name=/^(includes|has|indexOf)$/] > MemberExpression.arguments[property.name=/^(role|principal_role)$/]',
        ].map((selector) => ({
          selector,
          message:
            'Roles are decided in one place: use ability.can(...), CaslAbilityFactory.reachOf(...) or a field of roleDefinition(role) (src/access-policy/roles.ts).',
        })),
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        require: 'readonly',
        module: 'readonly',
        __dirname: 'readonly',
        globalThis: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The web portal (React): the rules of hooks and complete effect dependencies.
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);

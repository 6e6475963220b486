// Lint configuration: typescript-eslint recommended rules, plus the layering rules: libs/domain
// is free of Nest and I/O, and no app or lib imports an app (`layering/no-app-imports`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/**
 * An app is an entry point: what two apps share lives in a lib (`@app/*`), so an app never
 * imports another app and a lib never imports an app. The rule resolves each import (relative,
 * or from the root through tsconfig's `baseUrl`, as in `apps/gateway/src/...`) and reports one
 * that lands in `apps/<name>/` from a file outside that app. test/ and bench/ are not checked:
 * they boot an app's module, read its settings classes or drive its support code, which is what
 * they test.
 */
const noAppImports = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      appFromApp:
        'apps/{{from}} imports apps/{{to}}: an app never imports another app; move what both need into a lib (libs/*).',
      appFromLib:
        'libs/{{from}} imports apps/{{to}}: a lib never imports an app; move what it needs into a lib.',
    },
  },
  create(context) {
    const [top, name] = path.relative(ROOT, context.filename).split(path.sep);
    if (top !== 'apps' && top !== 'libs') return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const target = source.startsWith('.')
        ? path.resolve(path.dirname(context.filename), source)
        : path.resolve(ROOT, source);
      const [targetTop, targetName] = path.relative(ROOT, target).split(path.sep);
      if (targetTop !== 'apps' || (top === 'apps' && targetName === name)) return;
      context.report({
        node,
        messageId: top === 'apps' ? 'appFromApp' : 'appFromLib',
        data: { from: name, to: targetName },
      });
    };
    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => check(node.source, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          check(node.arguments[0], node.arguments[0]?.value);
        }
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    plugins: { layering: { rules: { 'no-app-imports': noAppImports } } },
    rules: { 'layering/no-app-imports': 'error' },
  },
  {
    // CommonJS configuration files (jest.config.js).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'pg',
                'ioredis',
                'kafkajs',
                'node:*',
                'fs',
                'net',
                'http',
              ],
              message: 'libs/domain is pure: no Nest, no I/O.',
            },
            { group: ['@app/*'], message: 'libs/domain depends on nothing else in the workspace.' },
          ],
        },
      ],
    },
  },
);

// Lint rules that keep the architecture honest (see docs/architecture.md).
import tseslint from 'typescript-eslint';

const TRANSPORT = ['next', 'next/*', '@trpc/*', 'socket.io', 'socket.io-client', 'react', 'react-dom', '@tanstack/*'];

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', 'data/**', '.e2e-data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The serving core knows nothing of transports or UI: adapters depend on it, never the reverse.
    files: ['server/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: TRANSPORT, message: 'server/core must not import Next, tRPC, socket.io or React.' }, { group: ['**/trpc/**', '**/rest/**', '**/realtime/**'], message: 'server/core must not import its adapters.' }] }],
    },
  },
  {
    // Browser code reaches the server only through server/contracts.
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@/server/core/**', '@/server/trpc/**', '@/server/rest/**', '@/server/realtime/**', '**/server/core/**'], message: 'Browser code imports only server/contracts.' }] }],
    },
  },
  {
    // Only server/env.ts reads the environment.
    files: ['server/**/*.ts'],
    ignores: ['server/env.ts', 'server/test-support/**', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through server/env.ts.' }],
    },
  },
);

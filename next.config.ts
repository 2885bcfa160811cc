import type { NextConfig } from 'next';

const config: NextConfig = {
  // `npm run typecheck` checks the whole project (server included) once; skip Next's second pass.
  typescript: { ignoreBuildErrors: true },
  // The console is served by server/main.ts; these packages stay out of the browser bundle.
  serverExternalPackages: ['better-sqlite3', 'socket.io'],
  devIndicators: false,
  poweredByHeader: false,
};

export default config;

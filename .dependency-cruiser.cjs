// The layering DIF keeps (issue 18.7), checked by `npm run lint` (`npm run lint:layers` alone):
//   shared/    ports, adapters, config, messages: imports nothing above it.
//   services/  one folder per service: each imports shared/ only, never another service or a profile.
//   profiles/  one composition root per platform (aws, local): wires services to adapters.
//   cli/, bench/, test/  use the profiles.
// See what imports what: npx depcruise shared services profiles cli --output-type text
/* global module */
'use strict';

module.exports = {
  forbidden: [
    {
      name: 'services-stay-apart',
      comment:
        'A service never imports another service: what they share lives in shared/ (messages, ports, config), and a profile wires them together.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'services-know-no-profile',
      comment:
        'Services receive their context; which platform they run on is chosen in profiles/, so they never import it (nor the CLI).',
      severity: 'error',
      from: { path: '^services/' },
      to: { path: '^(profiles|cli|bench|test)/' },
    },
    {
      name: 'shared-is-the-ground-floor',
      comment:
        'shared/ holds what every layer builds on; an import of services/, profiles/ or cli/ from it would make the ground floor stand on the roof.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(services|profiles|cli|bench|test)/' },
    },
    {
      name: 'profiles-apart',
      comment: 'One profile never borrows another: each wires its own platform.',
      severity: 'error',
      from: { path: '^profiles/([^/]+)/' },
      to: { path: '^profiles/([^/]+)/', pathNot: '^profiles/$1/' },
    },
    {
      name: 'profiles-below-the-cli',
      comment:
        'The CLI drives a profile, not the other way round; only the CLI error type users see and the project paths are shared with it.',
      severity: 'error',
      from: { path: '^profiles/' },
      to: { path: '^cli/', pathNot: '^cli/(UserError|paths)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.dif)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};

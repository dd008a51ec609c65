// Type-checks the dashboard's script against TypeScript types generated from the public schema (issue 17): the
// operations of dashboard.js (its /* GraphQL */ literals) become TypeScript types with @graphql-codegen
// (typescript-operations, which emits the enums and inputs they use), and `tsc --checkJs --noEmit` checks the script,
// whose GraphQL answers are annotated with those types in JSDoc (`import('graphql-types').PerformanceQuery`): a field
// the schema does not have, or used as another type, is an error.
// Usage: node dashboard-types.mjs SCHEMA.graphql dashboard.js
// Prints one JSON line: {"types": <generated file>, "operations": [names], "errors": [tsc diagnostics]}.
import { generate } from '@graphql-codegen/cli'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const [schemaPath, dashboard] = process.argv.slice(2).map((p) => resolve(p))
const work = mkdtempSync(join(tmpdir(), 'dashboard-types-'))
// SmallRye's printed SDL leaves out the declarations of the scalars it adds (BigInteger, ...): declare those used.
let sdl = readFileSync(schemaPath, 'utf8')
for (const scalar of ['BigInteger', 'BigDecimal', 'DateTime', 'Date', 'Time', 'Long', 'Void']) {
  if (new RegExp(`\\b${scalar}\\b`).test(sdl) && !new RegExp(`^scalar ${scalar}\\b`, 'm').test(sdl)) sdl += `\nscalar ${scalar}`
}
writeFileSync(join(work, 'schema.graphql'), sdl)
const types = join(work, 'graphql-types.ts')
await generate({
  schema: join(work, 'schema.graphql'),
  documents: [dashboard],
  // Money is an exact decimal string (README "Money"); codegen would type an unknown scalar as unknown.
  generates: { [types]: { plugins: ['typescript-operations'], config: { scalars: { Money: 'string' } } } },
  silent: true
}, true)
const generated = readFileSync(types, 'utf8')
const operations = [...generated.matchAll(/^export type (\w+Query) = /gm)].map((m) => m[1])

writeFileSync(join(work, 'globals.d.ts'), 'declare const Chart: any\ninterface Window { Chart: any }\n') // Chart.js's UMD global
writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
  compilerOptions: {
    allowJs: true, checkJs: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler',
    lib: ['es2022', 'dom', 'dom.iterable'], skipLibCheck: true, strict: false, noImplicitAny: false, paths: { 'graphql-types': [types] }
  },
  files: [dashboard, join(work, 'globals.d.ts')]
}))
let errors = []
try {
  execFileSync(join(import.meta.dirname, 'node_modules/.bin/tsc'), ['-p', join(work, 'tsconfig.json'), '--pretty', 'false'],
    { encoding: 'utf8' })
} catch (e) {
  errors = String(e.stdout).split('\n').filter((l) => l.includes('error TS'))
  if (errors.length === 0) throw e
}
console.log(JSON.stringify({ types, operations, errors }))

// The public schema's contract checks (issue 17), for FederationCompositionIT:
//  - the breaking changes @graphql-inspector finds between the released schema and the current one, and which of them
//    the current file does not record in its header ("# BREAKING: <message>", one per line);
//  - every GraphQL operation the dashboard sends (the template literals of dashboard.js that start with query or
//    mutation, with the fragments they spread), validated against the current schema.
// Usage: node schema-check.mjs RELEASED.graphql CURRENT.graphql dashboard.js
// Prints one JSON line: {"breaking": [...], "unrecorded": [...], "operations": N, "invalid": [{"operation", "errors"}]}.
import { readFileSync } from 'node:fs'
import { buildSchema, parse, validate } from 'graphql'
import { diff, CriticalityLevel } from '@graphql-inspector/core'

// SmallRye's printed SDL leaves out the declarations of the scalars it adds (BigInteger, ...): declare those used.
function build (sdl) {
  const missing = ['BigInteger', 'BigDecimal', 'DateTime', 'Date', 'Time', 'Long', 'Void']
    .filter((s) => new RegExp(`\\b${s}\\b`).test(sdl) && !new RegExp(`^scalar ${s}\\b`, 'm').test(sdl))
  return buildSchema(sdl + missing.map((s) => `\nscalar ${s}`).join(''))
}

const [released, current, dashboard] = process.argv.slice(2)
const currentText = readFileSync(current, 'utf8')
const schema = build(currentText)
const changes = await diff(build(readFileSync(released, 'utf8')), schema)
const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => c.message)
const recorded = new Set(currentText.split('\n').filter((l) => l.startsWith('# BREAKING: ')).map((l) => l.slice('# BREAKING: '.length).trim()))
const unrecorded = breaking.filter((m) => !recorded.has(m))

const source = readFileSync(dashboard, 'utf8')
// Interpolations of plain string constants (`${ROW_FIELDS}`) are filled in as the page does.
const constants = Object.fromEntries([...source.matchAll(/const (\w+) = '([^']*)'/g)].map((m) => [m[1], m[2]]))
// Fragments (`fragment Name on Type {...}` literals) are sent after the operations that spread them, as the page does.
const fragments = [...source.matchAll(/`\s*(fragment\s+(\w+)\b[^`]*)`/g)].map((m) => ({ name: m[2], text: m[1] }))
const operations = [...source.matchAll(/`\s*((?:query|mutation)\b[^`]*)`/g)]
  .map((m) => m[1].replace(/\$\{(\w+)\}/g, (all, name) => constants[name] ?? all))
  .map((op) => [op, ...fragments.filter((f) => op.includes('...' + f.name)).map((f) => f.text)].join('\n'))
const invalid = []
for (const operation of operations) {
  let errors
  try {
    errors = validate(schema, parse(operation)).map((e) => e.message)
  } catch (e) {
    errors = [String(e.message)]
  }
  if (errors.length) invalid.push({ operation: operation.split('\n')[0], errors })
}
console.log(JSON.stringify({ breaking, unrecorded, operations: operations.length, invalid }))

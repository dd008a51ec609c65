// Runs the GraphQL-over-HTTP spec's own audit (graphql-http's serverAudits) against one GraphQL endpoint.
// Usage: node graphql-audit.mjs <endpoint URL> <bearer token>
// Prints one JSON line: every audit's id, name, status (ok, warn, error) and reason.
import { serverAudits } from 'graphql-http'

const [url, token] = process.argv.slice(2)
if (!url || !token) {
  console.error('usage: node graphql-audit.mjs <endpoint URL> <bearer token>')
  process.exit(2)
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${token}`)
  return fetch(input, { ...init, headers })
}

const results = []
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn()
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason ?? null })
}
console.log(JSON.stringify(results))

// Apollo Federation v2 composition check: fetches `_service { sdl }` from each running subgraph
// and composes them with @apollo/composition, as Apollo Router's supergraph build (rover) would.
// Usage: node compose.mjs <token> name=url [name=url ...]   (url: the subgraph's /graphql endpoint)
// Prints one JSON line: composition errors and hints (code, message), the query fields of the
// supergraph's API schema (what Apollo Router in front of the subgraphs would offer), and the
// supergraph SDL.
import { composeServices } from '@apollo/composition'
import { parse } from 'graphql'

const [token, ...subgraphArgs] = process.argv.slice(2)
if (!token || subgraphArgs.length === 0) {
  console.error('usage: node compose.mjs <token> name=url [name=url ...]')
  process.exit(2)
}

async function sdlOf (name, url) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify({ query: '{ _service { sdl } }' })
  })
  const body = await response.json().catch(() => null)
  const sdl = body?.data?._service?.sdl
  if (!response.ok || !sdl) {
    throw new Error(`${name} (${url}) gave no _service.sdl: HTTP ${response.status} ${JSON.stringify(body?.errors ?? body)}`)
  }
  return sdl
}

const services = []
for (const arg of subgraphArgs) {
  const [name, url] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
  services.push({ name, url, typeDefs: parse(await sdlOf(name, url)) })
}

const result = composeServices(services)
const describe = (e) => ({ code: e.extensions?.code ?? e.definition?.code ?? null, message: e.message })
const output = {
  errors: (result.errors ?? []).map(describe),
  hints: (result.hints ?? []).map((h) => ({ code: h.definition?.code ?? null, message: h.message }))
}
if (!result.errors) {
  const api = result.schema.toAPISchema().toGraphQLJSSchema()
  output.queryFields = Object.keys(api.getQueryType()?.getFields() ?? {}).sort()
  output.mutationFields = Object.keys(api.getMutationType()?.getFields() ?? {}).sort()
  output.supergraphSdl = result.supergraphSdl
}
console.log(JSON.stringify(output))

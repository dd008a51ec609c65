// Apollo's reference federation gateway (@apollo/gateway with @apollo/server, from npm) in front of our subgraphs
// (issue 18): it composes them itself (IntrospectAndCompose, as Apollo's docs set it up), plans each query into subgraph
// fetches and resolves entities across them through _entities. The end-to-end tests use it as the reference our
// subgraphs must serve, and count the calls it makes to each subgraph.
// Usage: node apollo-gateway.mjs PORT CALLS_PORT INTROSPECTION_TOKEN name=url [name=url ...]
// Serves GraphQL on PORT (the caller's Authorization header is passed on to every subgraph call); on CALLS_PORT,
// GET /calls answers {"<subgraph>": <calls since the last reset>} and POST /reset sets them to 0.
// Prints one line {"ready": true} once the supergraph is composed and the server listens.
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway'
import { ApolloServer } from '@apollo/server'
import { startStandaloneServer } from '@apollo/server/standalone'
import { createServer } from 'node:http'

const [port, callsPort, token, ...pairs] = process.argv.slice(2)
const subgraphs = pairs.map((pair) => {
  const at = pair.indexOf('=')
  return { name: pair.slice(0, at), url: pair.slice(at + 1) }
})
const calls = Object.fromEntries(subgraphs.map((s) => [s.name, 0]))

class CountingSource extends RemoteGraphQLDataSource {
  willSendRequest ({ request, context }) {
    calls[this.name] += 1
    if (context?.authorization) request.http.headers.set('authorization', context.authorization)
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({ subgraphs, introspectionHeaders: { authorization: `Bearer ${token}` } }),
  buildService: ({ name, url }) => Object.assign(new CountingSource({ url }), { name })
})
const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false })
await startStandaloneServer(server, {
  listen: { port: Number(port) },
  context: async ({ req }) => ({ authorization: req.headers.authorization })
})

createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') {
    for (const name of Object.keys(calls)) calls[name] = 0
  }
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(calls))
}).listen(Number(callsPort), () => console.log(JSON.stringify({ ready: true })))

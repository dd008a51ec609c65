// GraphiQL on the public graph (/graphql). Paste your token in the Headers tab: {"Authorization": "Bearer <token>"}.
// Headers are not persisted, so a token is never left in the browser's storage.
const root = ReactDOM.createRoot(document.getElementById('graphiql'))
root.render(React.createElement(GraphiQL, {
  fetcher: GraphiQL.createFetcher({ url: '/graphql' }),
  defaultEditorToolsVisibility: true,
  isHeadersEditorEnabled: true,
  shouldPersistHeaders: false,
  defaultHeaders: '{"Authorization": "Bearer <paste the token ./closedloop run printed>"}'
}))

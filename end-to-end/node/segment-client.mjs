// Drives the real @segment/analytics-node client against a closedloop ingestion service, as a
// Node.js backend would: track, page, identify, group and alias calls, flushed as /v1/batch.
// Usage: node segment-client.mjs <ingestion URL> <write key> [run id]   (or INGESTION_URL, WRITE_KEY, RUN_ID)
// Prints one JSON line: the HTTP requests the client made (so a test can replay them), the
// responses it got, and any errors it reported.
import { Analytics } from '@segment/analytics-node'

const host = process.env.INGESTION_URL ?? process.argv[2]
const writeKey = process.env.WRITE_KEY ?? process.argv[3]
const run = process.env.RUN_ID ?? process.argv[4] ?? 'e2e'
if (!host || !writeKey) {
  console.error('usage: node segment-client.mjs <ingestion URL> <write key> [run id]')
  process.exit(2)
}

const analytics = new Analytics({ writeKey, host, flushAt: 50, flushInterval: 300, maxRetries: 3, httpRequestTimeout: 15000 })
const requests = []
const responses = []
const errors = []
analytics.on('http_request', (r) => requests.push({ url: r.url, method: r.method, headers: r.headers, body: r.body }))
analytics.on('http_response', (r) => responses.push({ status: r.status, url: r.url }))
analytics.on('error', (e) => errors.push(String(e?.reason?.message ?? e?.reason ?? e?.message ?? e)))

const anonymousId = `${run}-anon`
const userId = `${run}-user`
const site = 'https://www.acme.example'

// A paid search click landing on the pricing page (UTMs and a gclid in the URL).
analytics.page({
  messageId: `${run}-page-paid`, anonymousId, name: 'Pricing',
  context: { page: { url: `${site}/pricing?utm_source=Google&utm_medium=CPC&utm_campaign=Brand%20Search&gclid=Cj0KCQ`, path: '/pricing', referrer: 'https://www.google.com/' } },
})
// An organic LinkedIn visit: no UTMs, a referrer.
analytics.page({
  messageId: `${run}-page-social`, anonymousId, name: 'Blog',
  context: { page: { url: `${site}/blog/attribution-101`, path: '/blog/attribution-101', referrer: 'https://www.linkedin.com/feed/' } },
})
// A newsletter click, UTMs in context.campaign as analytics.js reports them.
analytics.track({
  messageId: `${run}-track-email`, anonymousId, event: 'Newsletter Link Clicked',
  context: { campaign: { source: 'Newsletter', medium: 'e-mail', name: 'March Digest' } },
})
// The demo request form: a form fill that links the visitor to the user and their email.
analytics.track({
  messageId: `${run}-form`, anonymousId, userId, event: 'Demo Requested',
  properties: { email: 'Ada@Acme.example', form: 'demo' },
})
analytics.identify({ messageId: `${run}-identify`, anonymousId, userId, traits: { email: 'ada@acme.example', name: 'Ada' } })
analytics.group({ messageId: `${run}-group`, userId, groupId: `${run}-account`, traits: { name: 'Acme', website: `${site}/` } })
analytics.alias({ messageId: `${run}-alias`, userId, previousId: anonymousId })

await analytics.closeAndFlush({ timeout: 30000 })
console.log(JSON.stringify({ requests, responses, errors }))

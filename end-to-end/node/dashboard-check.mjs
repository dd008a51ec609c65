// Opens the closedloop dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and prints, as one JSON line, what every panel rendered: its state, its error
// text, the data of each chart as Chart.js holds it (Chart.getChart), and the figures of its
// tables and stat lists (their data-value attributes). DashboardBrowserIT compares that with the API.
// Usage: node dashboard-check.mjs <dashboard URL with #token=...>   (CHROMIUM overrides the browser path)
import { chromium } from 'playwright-core'
import { existsSync } from 'node:fs'

const url = process.argv[2]
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium'
if (!url) {
  console.error('usage: node dashboard-check.mjs <dashboard URL>')
  process.exit(2)
}
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: install Debian's 'chromium' package (./closedloop test does) or set CHROMIUM`)
  process.exit(3)
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
})
const consoleMessages = []
const failedRequests = []
try {
  const page = await browser.newPage()
  page.on('console', (m) => consoleMessages.push(m.text()))
  page.on('pageerror', (e) => consoleMessages.push('pageerror: ' + e.message))
  page.on('requestfailed', (r) => failedRequests.push(r.url().split('#')[0] + ' ' + r.failure()?.errorText))
  await page.goto(url, { waitUntil: 'load' })
  await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 120000 })
  const rendered = await page.evaluate(() => {
    const parse = (v) => (v === undefined ? undefined : JSON.parse(v))
    const panels = {}
    for (const el of document.querySelectorAll('section.panel')) {
      const charts = {}
      for (const canvas of el.querySelectorAll('canvas')) {
        const chart = Chart.getChart(canvas)
        charts[canvas.id] = chart
          ? {
              labels: chart.data.labels,
              datasets: Object.fromEntries(chart.data.datasets.map((d) => [d.label, d.data])),
              attributes: { labels: parse(canvas.dataset.labels), series: parse(canvas.dataset.series) }
            }
          : null
      }
      const stats = {}
      for (const dd of el.querySelectorAll('dl.stats dd')) stats[dd.dataset.field] = parse(dd.dataset.value)
      const rowsOf = (table) => (table ? [...table.querySelectorAll('tr')].slice(1) : []).map((tr) =>
        Object.fromEntries([...tr.querySelectorAll('td[data-field]')].map((td) => [td.dataset.field, parse(td.dataset.value)])))
      // The panel's first table as `rows`; every table (a panel may show a second one) by its class.
      const rows = rowsOf(el.querySelector('table'))
      const tables = Object.fromEntries([...el.querySelectorAll('table')].map((t) => [t.className, rowsOf(t)]))
      const unmapped = el.querySelector('.unmapped')
      panels[el.id] = {
        state: el.dataset.state,
        error: el.querySelector('.error').hidden ? null : el.querySelector('.error').textContent,
        charts,
        stats,
        rows,
        tables,
        unmappedCampaigns: unmapped ? parse(unmapped.dataset.value) : undefined
      }
    }
    return { location: location.href, tokenStored: sessionStorage.getItem('closedloop.token') !== null, panels }
  })
  // A data-quality problem opens the touches behind it: click the first one and read the list it shows.
  let qualityTouches = null
  const drill = await page.$('#quality button.drill[data-problem="INVALID_UTM"]')
  if (drill) {
    await drill.click()
    await page.waitForFunction(() => document.querySelector('#quality table.quality-touches')?.dataset.problem === 'INVALID_UTM',
      null, { timeout: 30000 })
    qualityTouches = await page.evaluate(() => [...document.querySelectorAll('#quality table.quality-touches tr')].slice(1)
      .map((tr) => tr.dataset.key))
  }
  console.log(JSON.stringify({ ...rendered, qualityTouches, console: consoleMessages, failedRequests }))
} finally {
  await browser.close()
}

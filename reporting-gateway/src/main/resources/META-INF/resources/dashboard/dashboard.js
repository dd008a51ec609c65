// The closedloop dashboard: every panel is one query to the public GraphQL API (/graphql) with the
// user's bearer token. The numbers a chart or table shows are also on its element as data-*
// attributes (data-labels, data-series, data-value), so a browser test can compare them with the API.
// The token comes from the URL fragment (#token=...) or the paste box, is kept in sessionStorage
// only, removed from the address bar at once, and never logged.

const TOKEN_KEY = 'closedloop.token'
const COLORS = ['#2f6fdf', '#e8743b', '#19a979', '#ed4a7b', '#945ecf', '#13a4b4', '#525df4', '#bf399e', '#6c8893', '#ee6868']
/** @type {(selector: string, root?: ParentNode) => any} the page's own elements: their DOM types are not what is checked */
const $ = (selector, root = document) => root.querySelector(selector)

// ---- token and URL fragment ------------------------------------------------------------------

const fragment = new URLSearchParams(location.hash.slice(1))
if (fragment.has('token')) {
  sessionStorage.setItem(TOKEN_KEY, fragment.get('token'))
  fragment.delete('token')
  history.replaceState(null, '', location.pathname + location.search + (fragment.toString() ? '#' + fragment : ''))
}
const token = () => sessionStorage.getItem(TOKEN_KEY)

$('#token-form').addEventListener('submit', (e) => {
  e.preventDefault()
  sessionStorage.setItem(TOKEN_KEY, $('#token-input').value.trim())
  $('#token-input').value = ''
  $('#token-box').hidden = true
  refresh()
})

// ---- the GraphQL call ------------------------------------------------------------------------

/**
 * One operation against the public graph; its data, typed by the caller with the operation's type generated from the
 * schema (`@graphql-codegen`, checked by `tsc --checkJs` in end-to-end's FederationCompositionIT).
 * @template T
 * @param {string} query
 * @param {object} [variables]
 * @returns {Promise<T>}
 */
async function graphql (query, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer ' + token() },
    body: JSON.stringify({ query, variables })
  })
  if (response.status === 401 || response.status === 403) {
    $('#token-box').hidden = false
    throw new Error(`the gateway refused the token (HTTP ${response.status}); paste a valid analyst token above`)
  }
  const text = await response.text()
  let body
  try {
    body = JSON.parse(text)
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`)
  }
  if (body.errors?.length) {
    throw new Error(body.errors.map((e) => e.message).join('\n'))
  }
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`)
  }
  return body.data
}

// ---- pickers ---------------------------------------------------------------------------------

const iso = (d) => d.toISOString().slice(0, 10)
function presetPeriod (preset, today = new Date()) {
  const day = (y, m, d) => new Date(Date.UTC(y, m, d))
  const y = today.getUTCFullYear()
  const q = Math.floor(today.getUTCMonth() / 3)
  const minusDays = (n) => new Date(today.getTime() - n * 86400000)
  switch (preset) {
    case 'last90': return { from: iso(minusDays(89)), to: iso(today) }
    case 'thisQuarter': return { from: iso(day(y, q * 3, 1)), to: iso(today) }
    case 'lastQuarter': return { from: iso(day(y, q * 3 - 3, 1)), to: iso(day(y, q * 3, 0)) }
    case 'ytd': return { from: iso(day(y, 0, 1)), to: iso(today) }
    default: return { from: iso(minusDays(364)), to: iso(today) }
  }
}

function applyPreset () {
  if ($('#preset').value === 'custom') return
  const p = presetPeriod($('#preset').value)
  $('#from').value = p.from
  $('#to').value = p.to
}

function showModelParameters () {
  const model = $('#model').value
  document.querySelectorAll('[data-for-model]').forEach((el) => {
    const e = /** @type {HTMLElement} */ (el)
    e.hidden = e.dataset.forModel !== model
  })
}

const number = (id) => ($(id).value === '' ? undefined : Number($(id).value))

/** The ModelInput of the model picker: only the parameters that belong to the chosen model. */
function modelInput () {
  const name = $('#model').value
  const model = { name }
  if (number('#lookbackDays') !== undefined) model.lookbackDays = number('#lookbackDays')
  if (name === 'TIME_DECAY' && number('#halfLifeDays') !== undefined) model.halfLifeDays = number('#halfLifeDays')
  if (name === 'MARKOV') model.markovOrder = number('#markovOrder') ?? 1
  if (name === 'CUSTOM') {
    model.weights = Object.fromEntries(['ft', 'lc', 'oc', 'cw', 'middle'].map((w) => [w, number('#w-' + w) ?? 0]))
  }
  return model
}

// Pickers may be preset from the fragment, e.g. #from=2026-01-01&to=2026-03-31&model=W_SHAPED&basis=REVENUE.
for (const [key, value] of fragment) {
  const input = /** @type {HTMLInputElement | null} */ (document.getElementById(key))
  if (input) input.value = value
}
if (fragment.has('from') || fragment.has('to')) $('#preset').value = 'custom'
applyPreset()
showModelParameters()
$('#preset').addEventListener('change', () => { applyPreset(); refresh() })
$('#from').addEventListener('change', () => { $('#preset').value = 'custom' })
$('#to').addEventListener('change', () => { $('#preset').value = 'custom' })
$('#model').addEventListener('change', showModelParameters)
$('#controls').addEventListener('submit', (e) => { e.preventDefault(); refresh() })
$('#comparison-models').addEventListener('change', () => loadComparison())
$('#intervals').addEventListener('change', () => loadPerformance())
$('#snapshot').addEventListener('change', () => loadSnapshots())
$('#take-snapshot').addEventListener('click', () => takeSnapshot().catch((e) => {
  $('#snapshots .error').textContent = e.message
  $('#snapshots .error').hidden = false
}))
$('#windowDays').addEventListener('change', () => loadPipeline())
$('#cohort').addEventListener('change', () => loadCohorts())
$('#periods').addEventListener('change', () => loadCohorts())

const period = () => ({ from: $('#from').value, to: $('#to').value })

// ---- panels ----------------------------------------------------------------------------------

/** Runs one panel's load: marks it loading, then ok (rendered) or error (the message shown in the panel). */
async function panel (id, load) {
  const el = document.getElementById(id)
  const error = $('.error', el)
  el.dataset.state = 'loading'
  try {
    await load(el)
    error.hidden = true
    error.textContent = ''
    el.dataset.state = 'ok'
  } catch (e) {
    // Nothing stale stays beside the error: a figure from the previous pickers would mislead.
    el.querySelectorAll('canvas').forEach((c) => {
      window.Chart?.getChart(c)?.destroy()
      delete c.dataset.labels
      delete c.dataset.series
    })
    el.querySelectorAll('table, dl.stats').forEach((t) => t.replaceChildren())
    error.textContent = e.message
    error.hidden = false
    el.dataset.state = 'error'
  }
}

const money = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 })
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 })
// Money arrives as an exact decimal string ("110000.00"); it is shown rounded, so a Number is close enough.
const fmt = {
  /** @param {string | number | null | undefined} v */
  money: (v) => (v == null ? '—' : money.format(Number(v))),
  number: (v) => (v == null ? '—' : decimal.format(v)),
  percent: (v) => (v == null ? '—' : decimal.format(v * 100) + ' %'),
  ratio: (v) => (v == null ? '—' : decimal.format(v) + '×')
}

/** @param {string | null | undefined} dataAsOf @param {string | null | undefined} [currency] */
function asOf (el, dataAsOf, currency) {
  $('.as-of', el).textContent = (dataAsOf ? `data as of ${dataAsOf}` : '') + (currency ? ` · amounts in ${currency}` : '')
}

/** Amounts for a chart: money strings as numbers. @param {(string | null | undefined)[]} values */
const amounts = (values) => values.map((v) => (v == null ? null : Number(v)))

/** Draws (or redraws) a bar chart and puts what it shows on the canvas as data-labels / data-series. */
function barChart (canvasId, labels, series, options = {}) {
  const canvas = document.getElementById(canvasId)
  canvas.dataset.labels = JSON.stringify(labels)
  canvas.dataset.series = JSON.stringify(series)
  Chart.getChart(canvas)?.destroy()
  const datasets = Object.entries(series).map(([label, data], i) => ({
    label, data, backgroundColor: options.colors?.[i] ?? COLORS[i % COLORS.length]
  }))
  return new Chart(canvas, {
    type: options.type ?? 'bar',
    data: { labels, datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } }
  })
}

/** A definition list of figures, each dd carrying its raw value in data-value. */
function stats (dl, figures) {
  dl.replaceChildren()
  for (const [field, label, value, format] of figures) {
    const dt = document.createElement('dt')
    dt.textContent = label
    const dd = document.createElement('dd')
    dd.dataset.field = field
    dd.dataset.value = JSON.stringify(value ?? null)
    dd.textContent = format(value)
    dl.append(dt, dd)
  }
}

function table (tableEl, columns, rows) {
  const head = document.createElement('tr')
  for (const [, label] of columns) {
    const th = document.createElement('th')
    th.textContent = label
    head.append(th)
  }
  const body = rows.map((row) => {
    const tr = document.createElement('tr')
    tr.dataset.key = row.key ?? ''
    for (const [field, , format] of columns) {
      const td = document.createElement('td')
      td.dataset.field = field
      td.dataset.value = JSON.stringify(row[field] ?? null)
      td.textContent = format(row[field])
      tr.append(td)
    }
    return tr
  })
  tableEl.replaceChildren(head, ...body)
}

const REPORT_ROW = /* GraphQL */ `fragment ReportRowFields on ReportRow {
  key credit amount opportunities spend pipeline wonDeals revenue roi roas cac costPerOpportunity averageDealSize conversionRate
  medianDaysToConversion interval { level credit { lower upper } revenue { lower upper } roi { lower upper } }
}`

const PERFORMANCE = /* GraphQL */ `query Performance($period: PeriodInput!, $model: ModelInput!, $basis: Basis, $interval: IntervalInput) {
  performance(period: $period, model: $model, basis: $basis, groupBy: CHANNEL, first: 100, interval: $interval) {
    dataAsOf currency model basis
    rows { totalCount edges { node { ...ReportRowFields } } }
    totals { ...ReportRowFields unattributed { count amount } }
  }
}`

/**
 * Bounds shown as "lower – upper" (an open end as …).
 * @param {(v: number) => string} format
 * @returns {(b: { lower?: number | null, upper?: number | null } | null | undefined) => string}
 */
const range = (format) => (b) => (b == null ? '—' : `${b.lower == null ? '…' : format(b.lower)} – ${b.upper == null ? '…' : format(b.upper)}`)

/** The IntervalInput of the intervals picker, or null (none asked, or a model they are not computed for yet). */
function intervalInput () {
  const level = $('#intervals').value
  return level === '' || ['MARKOV', 'SHAPLEY'].includes($('#model').value) ? null : { level: Number(level) }
}

function loadPerformance () {
  return panel('performance', async (el) => {
    const interval = intervalInput()
    /** @type {import('graphql-types').PerformanceQuery} */
    const { performance } = await graphql(PERFORMANCE + REPORT_ROW,
      { period: period(), model: modelInput(), basis: $('#basis').value, interval })
    asOf(el, performance.dataAsOf, performance.currency)
    const rows = performance.rows.edges.map((e) => e.node)
    const labels = rows.map((r) => r.key ?? '(none)')
    /** @type {Record<string, unknown[]>} */
    const revenueSeries = { spend: amounts(rows.map((r) => r.spend)), revenue: amounts(rows.map((r) => r.revenue)) }
    const note = $('.intervals-note', el)
    note.hidden = $('#intervals').value === ''
    if (interval) {
      const percent = Math.round(interval.level * 100)
      // Floating bars from the lower to the upper bound beside each channel's revenue.
      revenueSeries[`revenue ${percent} % interval`] = rows.map((r) => (r.interval ? [r.interval.revenue.lower, r.interval.revenue.upper] : null))
      note.textContent = `${percent} % intervals: how much each figure would move with slightly different deals (a bootstrap over the` +
        " period's opportunities), under this model. They do not say how much the choice of model matters: compare models for that."
    } else {
      note.textContent = 'Intervals are not computed for MARKOV and SHAPLEY yet.'
    }
    barChart('chart-spend-revenue', labels, revenueSeries)
    barChart('chart-roi', labels, { roi: rows.map((r) => r.roi) }, { colors: ['#19a979'] })
    const shown = [...rows, { ...performance.totals, key: 'Total' }].map((r) => ({
      ...r, creditInterval: r.interval?.credit, revenueInterval: r.interval?.revenue, roiInterval: r.interval?.roi
    }))
    table($('table.rows', el), [
      ['key', 'Channel', (v) => v ?? '(none)'],
      ['spend', 'Spend', fmt.money], ['opportunities', 'Opportunities', fmt.number],
      ['credit', 'Credit', fmt.number], ['amount', performance.basis === 'REVENUE' ? 'Attributed won amount' : 'Attributed pipeline', fmt.money],
      ['pipeline', 'Pipeline', fmt.money], ['wonDeals', 'Won deals', fmt.number], ['revenue', 'Revenue', fmt.money],
      ['roi', 'ROI', fmt.percent], ['roas', 'ROAS', fmt.ratio], ['cac', 'CAC', fmt.money],
      ['costPerOpportunity', 'Cost / opp.', fmt.money], ['averageDealSize', 'Avg deal', fmt.money],
      ['conversionRate', 'Conversion', fmt.percent], ['medianDaysToConversion', 'Median days to close', fmt.number],
      ...(interval
        ? [['creditInterval', 'Credit interval', range(fmt.number)], ['revenueInterval', 'Revenue interval', range(fmt.money)],
            ['roiInterval', 'ROI interval', range(fmt.percent)]]
        : [])
    ], shown)
    // Rows + unattributed = the period's whole pipeline or won amount: where the rest went.
    const { count, amount } = performance.totals.unattributed
    /** @type {[string, number | string, (v: number | string) => string][]} */
    const figures = [['unattributed.count', count, fmt.number], ['unattributed.amount', amount, fmt.money]]
    for (const [field, value, format] of figures) {
      const dd = $(`dd[data-field="${field}"]`, el)
      dd.dataset.value = JSON.stringify(value)
      dd.textContent = format(value)
    }
  })
}

const COMPARISON = /* GraphQL */ `query Comparison($period: PeriodInput!, $models: [ModelInput!]!, $basis: Basis) {
  modelComparison(period: $period, models: $models, basis: $basis, groupBy: CHANNEL, first: 100) {
    models
    rows { edges { node { key amounts credits } } }
  }
}`

function loadComparison () {
  return panel('comparison', async () => {
    const names = [...document.querySelectorAll('#comparison-models input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value)
    if (names.length === 0 || names.length > 6) throw new Error('pick one to six models to compare')
    const lookbackDays = number('#lookbackDays')
    const models = names.map((name) => (lookbackDays === undefined ? { name } : { name, lookbackDays }))
    /** @type {import('graphql-types').ComparisonQuery} */
    const { modelComparison } = await graphql(COMPARISON, { period: period(), models, basis: $('#basis').value })
    const rows = modelComparison.rows.edges.map((e) => e.node)
    const series = Object.fromEntries(modelComparison.models.map((m, i) => [m, amounts(rows.map((r) => r.amounts[i]))]))
    barChart('chart-comparison', rows.map((r) => r.key ?? '(none)'), series)
  })
}

const SNAPSHOTS = /* GraphQL */ `query Snapshots {
  snapshots(first: 100) { edges { node { id name createdAt from to reports { model name basis groupBy } } } }
}`

const SNAPSHOT_CHANGE = /* GraphQL */ `query SnapshotChange($id: String!, $basis: Basis, $groupBy: Dimension) {
  snapshotChange(id: $id, model: 0, basis: $basis, groupBy: $groupBy, first: 100) {
    dataAsOf
    rows { edges { node { key creditThen creditNow amountThen amountNow amountChange } } }
    totals { amountThen amountNow amountChange }
  }
}`

const EXPLAIN_CHANGE = /* GraphQL */ `query ExplainChange($from: String!, $basis: Basis, $groupBy: Dimension, $key: String) {
  explainChange(from: $from, model: 0, basis: $basis, groupBy: $groupBy, key: $key) {
    key amountThen amountNow
    causes { cause amount opportunityCount opportunities { opportunityId amount } }
  }
}`

const CAUSES = {
  TOUCHES: 'Touches that arrived late or changed',
  IDENTITY: 'Identity: merges and splits',
  CRM: 'CRM: deals added, removed or restated',
  SETTINGS: 'Settings and model parameters',
  SPEND: 'Spend (not in the attributed amount)',
  NOT_VERSIONED: 'Erasures since, and the snapshot\'s rounding'
}

/** Why one row of the change (key null: the total) changed, by cause; the rule-based models only. */
async function explainChange (snapshot, key) {
  const el = $('#snapshots')
  const causesTable = $('table.change-causes', el)
  const note = $('.causes-note', el)
  const { basis, groupBy, name } = snapshot.reports[0]
  if (name === 'MARKOV' || name === 'SHAPLEY') {
    note.textContent = `Why it changed: not available for ${name} yet (each cause would refit the model).`
    causesTable.replaceChildren()
    return
  }
  /** @type {import('graphql-types').ExplainChangeQuery} */
  const { explainChange } = await graphql(EXPLAIN_CHANGE, { from: snapshot.id, basis, groupBy, key })
  const what = key == null ? 'the total' : key
  note.textContent = `Why ${what} changed by ${fmt.money(explainChange.amountNow - explainChange.amountThen)}, by cause` +
    ' (causes that interact share it equally; click a row above to explain it):'
  causesTable.dataset.key = key ?? ''
  table(causesTable, [
    ['cause', 'Cause', (c) => CAUSES[c] ?? c], ['amount', 'Amount', fmt.money], ['opportunityCount', 'Deals', fmt.number],
    ['opportunities', 'Largest', (list) => list.slice(0, 3).map((o) => o.opportunityId).join(', ')]
  ], explainChange.causes.map((c) => ({ ...c, key: c.cause })))
}

const TAKE_SNAPSHOT = /* GraphQL */ `mutation TakeSnapshot($name: String!, $period: PeriodInput!, $models: [ModelInput!]!, $bases: [Basis!]) {
  createSnapshot(name: $name, period: $period, models: $models, bases: $bases) { id }
}`

/** The snapshots, newest first, in the picker; the chosen one (or the newest) beside the same question now. */
function loadSnapshots (chosen) {
  return panel('snapshots', async (el) => {
    /** @type {import('graphql-types').SnapshotsQuery} */
    const { snapshots } = await graphql(SNAPSHOTS)
    const list = snapshots.edges.map((e) => e.node)
    const picker = $('#snapshot')
    const keep = chosen ?? picker.value
    picker.replaceChildren(...list.map((s) => {
      const option = document.createElement('option')
      option.value = s.id
      option.textContent = `${s.name} (${s.from} – ${s.to}, ${s.reports[0]?.name ?? ''})`
      return option
    }))
    if (list.some((s) => s.id === keep)) picker.value = keep
    const snapshot = list.find((s) => s.id === picker.value)
    const changeTable = $('table.snapshot-change', el)
    if (!snapshot) {
      $('.snapshot-note', el).textContent = 'No snapshot yet: take one of this view to compare with it later.'
      changeTable.replaceChildren()
      return
    }
    const { basis, groupBy, name } = snapshot.reports[0]
    /** @type {import('graphql-types').SnapshotChangeQuery} */
    const { snapshotChange } = await graphql(SNAPSHOT_CHANGE, { id: snapshot.id, basis, groupBy })
    if (!snapshotChange) throw new Error(`snapshot ${snapshot.name} was deleted; refresh to pick another`)
    asOf(el, snapshotChange.dataAsOf)
    $('.snapshot-note', el).textContent = `${name}, ${basis.toLowerCase()} basis, as taken on ${snapshot.createdAt.slice(0, 10)}` +
      ' beside the same question now (largest change first).'
    changeTable.dataset.snapshot = snapshot.id
    table(changeTable, [
      ['key', groupBy.charAt(0) + groupBy.slice(1).toLowerCase().replace('_', ' '), (v) => v ?? '(none)'],
      ['amountThen', 'Then', fmt.money], ['amountNow', 'Now', fmt.money],
      ['amountChange', 'Change', fmt.money], ['creditThen', 'Credit then', fmt.number], ['creditNow', 'Credit now', fmt.number]
    ], [...snapshotChange.rows.edges.map((e) => e.node), { ...snapshotChange.totals, key: 'Total' }])
    const rows = [...snapshotChange.rows.edges.map((e) => e.node.key), null]
    changeTable.querySelectorAll('tr[data-key]').forEach((tr, i) => {
      tr.addEventListener('click', () => explainChange(snapshot, rows[i]).catch((e) => { $('.causes-note', el).textContent = e.message }))
    })
    // A snapshot the causes cannot be given for (taken before versioning, another journey scope) still shows its change.
    await explainChange(snapshot, null).catch((e) => {
      $('.causes-note', el).textContent = e.message
      $('table.change-causes', el).replaceChildren()
    })
  })
}

async function takeSnapshot () {
  const { from, to } = period()
  const model = modelInput()
  /** @type {import('graphql-types').TakeSnapshotMutation} */
  const { createSnapshot } = await graphql(TAKE_SNAPSHOT,
    { name: `${model.name} ${from} – ${to}`, period: period(), models: [model], bases: [$('#basis').value] })
  await loadSnapshots(createSnapshot.id)
}

const SOURCED = /* GraphQL */ `query Sourced($period: PeriodInput!) {
  sourcedInfluenced(period: $period, groupBy: CHANNEL, first: 100) {
    dataAsOf currency
    rows { edges { node { key sourcedCount sourcedAmount influencedCount influencedAmount } } }
    totals { sourcedCount sourcedAmount influencedCount influencedAmount }
  }
}`

function loadSourced () {
  return panel('sourced', async (el) => {
    /** @type {import('graphql-types').SourcedQuery} */
    const { sourcedInfluenced } = await graphql(SOURCED, { period: period() })
    asOf(el, sourcedInfluenced.dataAsOf, sourcedInfluenced.currency)
    const rows = sourcedInfluenced.rows.edges.map((e) => e.node)
    barChart('chart-sourced', rows.map((r) => r.key ?? '(none)'), {
      sourcedAmount: amounts(rows.map((r) => r.sourcedAmount)), influencedAmount: amounts(rows.map((r) => r.influencedAmount))
    })
    const t = sourcedInfluenced.totals
    stats($('.stats', el), [
      ['sourcedCount', 'Sourced opportunities', t.sourcedCount, fmt.number],
      ['sourcedAmount', 'Sourced amount', t.sourcedAmount, fmt.money],
      ['influencedCount', 'Influenced opportunities', t.influencedCount, fmt.number],
      ['influencedAmount', 'Influenced amount', t.influencedAmount, fmt.money]
    ])
  })
}

const PIPELINE = /* GraphQL */ `query Pipeline($period: PeriodInput!, $windowDays: Int) {
  pipelineInfluence(period: $period, windowDays: $windowDays) {
    dataAsOf currency windowDays totalCount totalAmount influencedCount influencedAmount countShare amountShare
  }
}`

function loadPipeline () {
  return panel('pipeline', async (el) => {
    /** @type {import('graphql-types').PipelineQuery} */
    const { pipelineInfluence: p } = await graphql(PIPELINE, { period: period(), windowDays: number('#windowDays') ?? 90 })
    asOf(el, p.dataAsOf, p.currency)
    barChart('chart-pipeline', ['influenced', 'not influenced'],
      { amount: [Number(p.influencedAmount), Number(p.totalAmount) - Number(p.influencedAmount)] },
      { type: 'doughnut', colors: [['#2f6fdf', '#c9d3e3']] })
    stats($('.stats', el), [
      ['totalCount', 'Opportunities open or won', p.totalCount, fmt.number],
      ['totalAmount', 'Their amount', p.totalAmount, fmt.money],
      ['influencedCount', `Touched in the ${p.windowDays} days before creation`, p.influencedCount, fmt.number],
      ['influencedAmount', 'Influenced amount', p.influencedAmount, fmt.money],
      ['countShare', 'Share (count)', p.countShare, fmt.percent],
      ['amountShare', 'Share (amount)', p.amountShare, fmt.percent]
    ])
  })
}

const COHORTS = /* GraphQL */ `query Cohorts($period: PeriodInput!, $cohort: CohortGranularity, $periods: Int) {
  cohortLtv(period: $period, cohort: $cohort, periods: $periods) {
    dataAsOf currency cohort
    rows { cohort channel customers revenuePerCustomer ltv cac ltvToCac }
  }
}`

/** The heat map: one row per cohort and channel, one cell per period after acquisition, shaded by value. */
function loadCohorts () {
  return panel('cohorts', async (el) => {
    const periods = number('#periods') ?? 4
    /** @type {import('graphql-types').CohortsQuery} */
    const { cohortLtv } = await graphql(COHORTS, { period: period(), cohort: $('#cohort').value, periods })
    asOf(el, cohortLtv.dataAsOf, cohortLtv.currency)
    const rows = cohortLtv.rows
    const max = Math.max(1, ...rows.flatMap((r) => amounts(r.revenuePerCustomer)))
    const heat = $('table.heatmap', el)
    const head = document.createElement('tr')
    for (const label of ['Cohort', 'Channel', 'Customers', ...Array.from({ length: periods + 1 }, (_, i) => `+${i}`), 'LTV', 'CAC', 'LTV:CAC']) {
      const th = document.createElement('th')
      th.textContent = label
      head.append(th)
    }
    const cell = (tr, field, value, text) => {
      const td = document.createElement('td')
      if (field) {
        td.dataset.field = field
        td.dataset.value = JSON.stringify(value ?? null)
      }
      td.textContent = text
      tr.append(td)
      return td
    }
    const body = rows.map((r) => {
      const tr = document.createElement('tr')
      tr.dataset.cohort = r.cohort
      tr.dataset.channel = r.channel ?? ''
      cell(tr, 'cohort', r.cohort, r.cohort).className = 'label'
      cell(tr, 'channel', r.channel, r.channel ?? '(none)').className = 'label'
      cell(tr, 'customers', r.customers, fmt.number(r.customers))
      r.revenuePerCustomer.forEach((v, i) => {
        const td = cell(tr, 'revenuePerCustomer.' + i, v, fmt.money(v))
        td.style.background = `rgba(47, 111, 223, ${(0.08 + 0.8 * Number(v) / max).toFixed(3)})`
      })
      cell(tr, 'ltv', r.ltv, fmt.money(r.ltv))
      cell(tr, 'cac', r.cac, fmt.money(r.cac))
      cell(tr, 'ltvToCac', r.ltvToCac, fmt.ratio(r.ltvToCac))
      return tr
    })
    heat.replaceChildren(head, ...body)
  })
}

const QUALITY = /* GraphQL */ `query Quality($period: PeriodInput!) {
  dataQuality(period: $period) {
    dataAsOf touches validUtmShare personShare accountShare revenueWithTouchShare touchesPerConversion
    opportunitiesWithoutContactRoles unmappedCampaigns
  }
}`

const QUALITY_TOUCHES = /* GraphQL */ `query QualityTouches($period: PeriodInput!, $problem: QualityProblem!) {
  dataQualityTouches(period: $period, problem: $problem, first: 100) {
    totalCount
    edges { node { touchId occurredAt touchType channel source medium campaign content } }
  }
}`

// Each data-quality problem opens the touches behind it (newest first, at most 100).
const PROBLEMS = { validUtmShare: 'INVALID_UTM', personShare: 'NO_PERSON', accountShare: 'NO_ACCOUNT' }

async function showQualityTouches (el, problem) {
  const list = $('table.quality-touches', el)
  /** @type {import('graphql-types').QualityTouchesQuery} */
  const { dataQualityTouches } = await graphql(QUALITY_TOUCHES, { period: period(), problem })
  const touches = dataQualityTouches.edges.map((e) => e.node)
  table(list, [
    ['occurredAt', 'When', (v) => v ?? ''],
    ['channel', 'Channel', (v) => v ?? ''],
    ['source', 'Source', (v) => v ?? ''],
    ['medium', 'Medium', (v) => v ?? ''],
    ['campaign', 'Campaign', (v) => v ?? ''],
    ['touchType', 'Type', (v) => v ?? ''],
    ['touchId', 'Touch', (v) => v ?? '']
  ], touches.map((t) => ({ ...t, key: t.touchId })))
  list.dataset.problem = problem
  list.hidden = false
}

function drill (el, target, problem, label) {
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'drill'
  button.dataset.problem = problem
  button.textContent = label
  button.addEventListener('click', () => showQualityTouches(el, problem).catch((e) => {
    $('.error', el).textContent = e.message
    $('.error', el).hidden = false
  }))
  target.append(' ', button)
}

function loadQuality () {
  return panel('quality', async (el) => {
    /** @type {import('graphql-types').QualityQuery} */
    const { dataQuality: q } = await graphql(QUALITY, { period: period() })
    asOf(el, q.dataAsOf)
    stats($('.stats', el), [
      ['touches', 'Touches', q.touches, fmt.number],
      ['validUtmShare', 'With valid UTMs', q.validUtmShare, fmt.percent],
      ['personShare', 'Identified to a person', q.personShare, fmt.percent],
      ['accountShare', 'Identified to an account', q.accountShare, fmt.percent],
      ['revenueWithTouchShare', 'Revenue with at least one touch', q.revenueWithTouchShare, fmt.percent],
      ['touchesPerConversion', 'Touches per conversion', q.touchesPerConversion, fmt.number],
      ['opportunitiesWithoutContactRoles', 'Opportunities without contact roles', q.opportunitiesWithoutContactRoles, fmt.number]
    ])
    for (const [field, problem] of Object.entries(PROBLEMS)) {
      drill(el, $(`dd[data-field="${field}"]`, el), problem, 'touches without')
    }
    const unmapped = $('.unmapped', el)
    unmapped.dataset.value = JSON.stringify(q.unmappedCampaigns)
    unmapped.textContent = q.unmappedCampaigns.length ? 'Unmapped campaigns: ' + q.unmappedCampaigns.join(', ') : 'No unmapped campaigns.'
    if (q.unmappedCampaigns.length) {
      drill(el, unmapped, 'UNMAPPED_CAMPAIGN', 'their touches')
    }
    $('table.quality-touches', el).hidden = true
  })
}

async function refresh () {
  if (!token()) {
    $('#token-box').hidden = false
    return
  }
  document.body.dataset.state = 'loading'
  // A snapshot named in the address is picked once; later refreshes keep the user's choice.
  const named = fragment.get('snapshot')
  fragment.delete('snapshot')
  await Promise.all([loadPerformance(), loadComparison(), loadSourced(), loadPipeline(), loadCohorts(), loadQuality(), loadSnapshots(named)])
  document.body.dataset.state = 'done'
}

refresh()

// The metrics dashboard: asks for the API base URL and a function key, reads /api/metrics, /api/metrics/daily,
// /api/metrics/top-searches, /api/metrics/engagement and /api/metrics/top-trips, and draws the daily series, the top
// searches and what people did with the results. Nothing is embedded in the page: the base URL and the key live in
// this tab's sessionStorage only.
import {
  NO_DATA, barChart, lineChart, rankingChart,
} from './charts.js';

const STORAGE_KEYS = { baseUrl: 'smarttrip.dashboard.baseUrl', functionKey: 'smarttrip.dashboard.functionKey' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** An API call that did not give a usable answer; message is what the operator reads. */
class DashboardError extends Error {}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const formats = {
  count: (value) => integer.format(value),
  ms: (value) => `${decimal.format(value)} ms`,
  score: (value) => decimal.format(value),
  percent: (value) => `${decimal.format(value * 100)} %`,
  seconds: (value) => `${decimal.format(value)} s`,
};

const elements = {};
let inFlight = null;

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** The days [end - (days - 1), end] as YYYY-MM-DD; end defaults to today in UTC. */
function periodOf(days, endDay) {
  const end = endDay ? new Date(`${endDay}T00:00:00Z`) : new Date(Date.now());
  const endUtc = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate());
  return { start: isoDay(new Date(endUtc - (days - 1) * DAY_MS)), end: isoDay(new Date(endUtc)) };
}

function normaliseBaseUrl(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    throw new DashboardError('The API base URL is not a valid URL (example: https://func-xxxx.azurewebsites.net).');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DashboardError('The API base URL must start with https:// or http://.');
  }
  return url.href.replace(/\/+$/, '');
}

async function getJson(baseUrl, path, functionKey, signal) {
  let response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      headers: functionKey ? { 'x-functions-key': functionKey } : {},
      signal,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new DashboardError(`Could not reach ${baseUrl}. Check the URL, and that the API allows this page's origin (CORS).`);
  }

  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null; // 401 from the platform has an empty body
  }

  if (response.ok && body && body.success === true) {
    return body;
  }
  if (response.status === 401 || response.status === 403) {
    throw new DashboardError(`The function key was refused (HTTP ${response.status}).`);
  }
  if (response.status === 404) {
    throw new DashboardError(`No SmartTrip metrics API at ${baseUrl} (HTTP 404).`);
  }
  if (response.status === 503) {
    const retry = response.headers.get('Retry-After');
    throw new DashboardError(`The API is unavailable (HTTP 503): ${body?.error ?? 'try again later'}${retry ? ` Retry in ${retry} s.` : ''}`);
  }
  throw new DashboardError(`The API answered HTTP ${response.status}${body?.error ? `: ${body.error}` : ''}.`);
}

function setStatus(state, text) {
  elements.status.dataset.state = state;
  elements.status.textContent = text;
  const loading = state === 'loading';
  elements.report.setAttribute('aria-busy', String(loading));
  elements.report.classList.toggle('is-loading', loading);
  elements.load.disabled = loading;
}

/** A row of cards: [key, name, format] read from data, under a heading. */
function renderCards(section, title, cards, data) {
  const heading = document.createElement('h2');
  heading.textContent = title;
  const list = document.createElement('dl');
  for (const [key, name, format] of cards) {
    const card = document.createElement('div');
    card.className = 'card';
    card.dataset.metric = key;
    card.dataset.value = data[key];
    const term = document.createElement('dt');
    term.textContent = name;
    const value = document.createElement('dd');
    value.textContent = format(data[key]);
    card.append(term, value);
    list.append(card);
  }
  section.replaceChildren(heading, list);
}

function renderSummary(summary, days) {
  renderCards(elements.summary, `Last ${days} days, up to now`, [
    ['total_requests', 'Requests', formats.count],
    ['unique_sessions', 'Sessions', formats.count],
    ['avg_response_time_ms', 'Mean response', formats.ms],
    ['p95_response_time_ms', 'p95 response', formats.ms],
    ['avg_top_score', 'Mean top score', formats.score],
    ['relaxed_trigger_rate', 'Relaxed searches', formats.percent],
    ['no_results_rate', 'No results', formats.percent],
  ], summary);
}

/**
 * What waits for an operator, from /api/health/details (function key; it answers 503 with the same body while the
 * database or the queue is away): events the drain set aside, poison messages, search-log rows waiting for the database
 * and rows dropped.
 * A count above zero is marked as a warning; a count the health check could not take reads "not reported".
 */
async function healthOf(baseUrl, functionKey, signal) {
  try {
    const response = await fetch(`${baseUrl}/api/health/details`, {
      signal,
      headers: { Accept: 'application/json', ...(functionKey ? { 'x-functions-key': functionKey } : {}) },
    });
    return await response.json();
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    return null;
  }
}

function renderPipeline(health) {
  const cards = [
    ['dead_letters.events', 'Events set aside', health?.dead_letters?.events],
    ['dead_letters.poison_messages', 'Poison messages', health?.dead_letters?.poison_messages],
    ['request_log.buffered', 'Search-log rows waiting', health?.request_log?.buffered],
    ['request_log.dropped', 'Search-log rows dropped', health?.request_log?.dropped],
  ];
  const heading = document.createElement('h2');
  heading.textContent = 'Waiting for an operator (smarttrip dead-letters)';
  const list = document.createElement('dl');
  for (const [key, name, value] of cards) {
    const card = document.createElement('div');
    card.className = Number(value) > 0 ? 'card warning' : 'card';
    card.dataset.metric = key;
    card.dataset.value = value ?? '';
    const term = document.createElement('dt');
    term.textContent = name;
    const text = document.createElement('dd');
    text.textContent = typeof value === 'number' ? formats.count(value) : 'not reported';
    card.append(term, text);
    list.append(card);
  }
  elements.pipeline.replaceChildren(heading, list);
}

/** A day's value of key, or null (a gap) on a day hasData says has none. */
function series(daily, key, hasData = () => true) {
  return daily.map((day) => ({ key: day.date, value: hasData(day) ? day[key] : null }));
}

// A day without searches has no response time and no rates; a day whose every search found nothing has no top score.
const searched = (day) => day.total_requests > 0;
const scored = (day) => day.total_requests > 0 && day.no_results_rate < 1;

function plot(id) {
  return document.querySelector(`#${id} .plot`);
}

function renderDaily(daily) {
  barChart(plot('chart-requests'), {
    label: 'Requests', series: 'total_requests', points: series(daily, 'total_requests'), format: formats.count, minStep: 1,
  });
  lineChart(plot('chart-latency'), {
    label: 'Response time',
    format: formats.ms,
    minStep: 1,
    lines: [
      { series: 'p50_response_time_ms', name: 'p50', className: 'series-a', points: series(daily, 'p50_response_time_ms', searched) },
      { series: 'p95_response_time_ms', name: 'p95', className: 'series-b', points: series(daily, 'p95_response_time_ms', searched) },
    ],
  });
  const rates = [
    { series: 'relaxed_trigger_rate', name: 'Relaxed searches', className: 'series-a', points: series(daily, 'relaxed_trigger_rate', searched) },
    { series: 'no_results_rate', name: 'No results', className: 'series-b', points: series(daily, 'no_results_rate', searched) },
  ];
  const highestRate = Math.max(0, ...rates.flatMap((line) => line.points.map((p) => p.value ?? 0)));
  lineChart(plot('chart-rates'), {
    label: 'Rates', format: formats.percent, lines: rates, yMax: highestRate > 0.5 || highestRate === 0 ? 1 : undefined,
  });
  lineChart(plot('chart-top-score'), {
    label: 'Average top score', format: formats.score, yMax: 100,
    lines: [{ series: 'avg_top_score', name: 'Mean top score', className: 'series-a', points: series(daily, 'avg_top_score', scored) }],
  });
}

function renderTopSearches(top, typeNames, days) {
  rankingChart(plot('chart-top-continents'), {
    label: `Continents searched, last ${days} days`,
    series: 'top_continents',
    items: top.top_continents.map((c) => ({ key: c.name, label: c.name, value: c.count })),
    emptyText: 'No continent was searched in this period.',
  });
  rankingChart(plot('chart-top-types'), {
    label: `Trip types searched, last ${days} days`,
    series: 'top_types',
    items: top.top_types.map((t) => ({ key: String(t.id), label: typeNames.get(t.id) ?? `Type #${t.id}`, value: t.count })),
    emptyText: 'No trip type was searched in this period.',
  });
}

/**
 * What people did with the results over the period (the range's total of /api/metrics/engagement) and the trips they
 * acted on most (/api/metrics/top-trips by clicks).
 */
function renderEngagement(total, topTrips, days) {
  renderCards(elements.engagement, `Engagement, ${days} days`, [
    ['impressions', 'Impressions', formats.count],
    ['clicks', 'Clicks', formats.count],
    ['click_through_rate', 'Click-through rate', formats.percent],
    ['search_click_rate', 'Searches with a click', formats.percent],
    ['saves', 'Saves', formats.count],
    ['whatsapp_contacts', 'WhatsApp contacts', formats.count],
    ['phone_contacts', 'Phone contacts', formats.count],
    ['booking_starts', 'Booking starts', formats.count],
    ['avg_dwell_seconds', 'Mean dwell', formats.seconds],
  ], total);
  const searches = total.searches;
  const share = (value) => (searches > 0 ? ` (${formats.percent(value / searches)})` : '');
  rankingChart(plot('chart-funnel'), {
    label: `From search to contact, ${days} days`,
    series: 'funnel',
    items: [
      ['searches', 'Searches'],
      ['searches_with_impressions', 'Results seen'],
      ['searches_with_click', 'Clicked a result'],
      ['searches_with_save_or_contact', 'Saved or contacted'],
    ].map(([key, name]) => ({ key, label: name, value: total[key] })),
    format: formats.count,
    columns: [['Step', (item) => item.label], ['Searches', (item) => formats.count(item.value) + share(item.value)]],
  });
  const positions = total.ctr_by_position;
  barChart(plot('chart-position-ctr'), {
    label: 'Click-through rate by position',
    series: 'ctr_by_position',
    points: positions.map((p) => ({ key: String(p.position), value: p.click_through_rate, figures: p })),
    format: formats.percent,
    yMax: Math.max(0, ...positions.map((p) => p.click_through_rate)) > 0.5 ? 1 : undefined,
    xLabel: (key) => key,
    keyName: 'Position',
    title: (key) => `Position ${key}`,
    columns: [
      ['Position', (point) => point.key],
      ['Impressions', (point) => formats.count(point.figures.impressions)],
      ['Clicks', (point) => formats.count(point.figures.clicks)],
      ['CTR', (point) => formats.percent(point.value)],
    ],
  });
  rankingChart(plot('chart-top-trips'), {
    label: `Trips clicked most, last ${days} days`,
    series: 'top_trips',
    items: topTrips.trips.map((t) => ({ key: String(t.trip_id), label: t.title ?? `Trip #${t.trip_id}`, value: t.clicks, trip: t })),
    emptyText: 'No trip was clicked in this period.',
    format: formats.count,
    columns: [
      ['Trip', (item) => item.label],
      ['Starts', (item) => item.trip.start_date ?? ''],
      ['Impressions', (item) => formats.count(item.trip.impressions)],
      ['Clicks', (item) => formats.count(item.trip.clicks)],
      ['CTR', (item) => (item.trip.click_through_rate === null ? NO_DATA : formats.percent(item.trip.click_through_rate))],
      ['Saves', (item) => formats.count(item.trip.saves)],
      ['Contacts', (item) => formats.count(item.trip.contacts)],
    ],
  });
}

/**
 * The running experiment (else the latest one) from /api/experiments and its results: per variant the shares, the
 * rates with their 95 % intervals and the difference to the control, and the sample-ratio warning.
 */
function renderExperiment(results) {
  const section = elements.experiment;
  const heading = document.createElement('h2');
  if (!results) {
    heading.textContent = 'Ranking experiment';
    const none = document.createElement('p');
    none.className = 'empty';
    none.textContent = 'No experiment has been run (smarttrip experiment create).';
    section.replaceChildren(heading, none);
    return;
  }
  const { experiment } = results;
  heading.textContent = `Ranking experiment: ${experiment.name} (${experiment.status})`;
  if (results.interleaving) {
    renderInterleaving(section, heading, experiment, results.interleaving);
    return;
  }
  const rate = (estimate) => {
    const text = `${formats.percent(estimate.value)} [${formats.percent(estimate.ci_low)}, ${formats.percent(estimate.ci_high)}]`;
    const difference = estimate.vs_control;
    if (!difference) {
      return text;
    }
    const sign = difference.value >= 0 ? '+' : '−';
    const points = decimal.format(Math.abs(difference.value) * 100);
    return `${text} ${sign}${points} pt (p = ${difference.p_value.toFixed(3)}${difference.significant ? ', significant' : ''})`;
  };
  const table = document.createElement('table');
  table.className = 'experiment';
  table.createCaption().textContent = 'Rates with 95 % intervals; differences to the control by a two-proportion z-test';
  const head = table.createTHead().insertRow();
  for (const title of ['Variant', 'Share', 'Browsers', 'Searches', 'Click-through rate', 'Searches with a click', 'Contact rate']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const variant of results.variants) {
    const row = body.insertRow();
    row.dataset.variant = variant.name;
    for (const cell of [
      variant.is_control ? `${variant.name} (control)` : variant.name, `${variant.share} %`, formats.count(variant.browsers),
      formats.count(variant.searches), rate(variant.click_through_rate), rate(variant.search_click_rate), rate(variant.contact_rate),
    ]) {
      row.insertCell().textContent = cell;
    }
  }
  const ratio = document.createElement('p');
  ratio.className = results.sample_ratio.mismatch ? 'ratio warning' : 'ratio';
  ratio.textContent = results.sample_ratio.mismatch
    ? `Sample ratio mismatch (p = ${results.sample_ratio.p_value.toExponential(1)}): browsers are not split as the shares say; do not trust the differences.`
    : `Browsers are split as the shares say (sample-ratio p = ${results.sample_ratio.p_value.toFixed(3)}).`;
  section.replaceChildren(heading, table, ratio);
}

/**
 * An interleaving experiment (docs/experiments.md §10): clicks and contacts credited to the team that gave the trip, the
 * wins and losses of the candidate with the sign test, and the team-balance warning.
 */
function renderInterleaving(section, heading, experiment, interleaving) {
  const [control, candidate] = experiment.variants;
  heading.textContent = `Ranking experiment: ${experiment.name} (${experiment.status}, interleaving ${candidate.name} against ${control.name})`;
  const table = document.createElement('table');
  table.className = 'experiment';
  table.createCaption().textContent =
    `${formats.count(interleaving.searches)} interleaved searches; a win is a search whose credited trips came more from ${candidate.name}; sign test of wins against losses`;
  const head = table.createTHead().insertRow();
  for (const title of ['Credit for', 'Wins', 'Losses', 'Ties', 'Delta', 'p-value']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const [name, comparison] of [['Clicks', interleaving.clicks], ['Contacts', interleaving.contacts]]) {
    const row = body.insertRow();
    for (const cell of [
      name, formats.count(comparison.wins), formats.count(comparison.losses), formats.count(comparison.ties),
      `${comparison.delta >= 0 ? '+' : '−'}${decimal.format(Math.abs(comparison.delta))}`,
      `${comparison.p_value.toFixed(3)}${comparison.significant ? ', significant' : ''}`,
    ]) {
      row.insertCell().textContent = cell;
    }
  }
  const balance = interleaving.team_balance;
  const ratio = document.createElement('p');
  ratio.className = balance.imbalanced ? 'ratio warning' : 'ratio';
  ratio.textContent = balance.imbalanced
    ? `Team imbalance (p = ${balance.p_value.toExponential(1)}): the first result came from ${control.name} ${balance.first_from_control} times and from ${candidate.name} ${balance.first_from_candidate}; do not trust the comparison.`
    : `Teams take the first place fairly: ${control.name} ${balance.first_from_control}, ${candidate.name} ${balance.first_from_candidate} (p = ${balance.p_value.toFixed(3)}).`;
  section.replaceChildren(heading, table, ratio);
}

/** The experiment to show: the running one, else the one created last; null when there is none. */
async function experimentResults(baseUrl, functionKey, signal) {
  const list = await getJson(baseUrl, '/api/experiments', functionKey, signal);
  const chosen = list.data.find((e) => e.status === 'running') ?? list.data.at(-1);
  return chosen ? (await getJson(baseUrl, `/api/experiments/${chosen.id}/results`, functionKey, signal)).data : null;
}

/** Trip-type names for the labels (an anonymous endpoint); the ids are shown when it cannot be read. */
async function typeNamesFrom(baseUrl, signal) {
  try {
    const body = await getJson(baseUrl, '/api/trip-types', null, signal);
    return new Map(body.data.map((type) => [type.id, type.name]));
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    return new Map();
  }
}

async function load() {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;

  let baseUrl;
  const functionKey = elements.functionKey.value.trim();
  try {
    baseUrl = normaliseBaseUrl(elements.baseUrl.value);
    if (!functionKey) {
      throw new DashboardError('Enter a function key: the metrics endpoints require one.');
    }
  } catch (error) {
    setStatus('error', error.message);
    return;
  }
  sessionStorage.setItem(STORAGE_KEYS.baseUrl, baseUrl);
  sessionStorage.setItem(STORAGE_KEYS.functionKey, functionKey);

  const days = Number(elements.days.value);
  const { start, end } = periodOf(days, elements.endDate.value);
  if (!elements.endDate.value) {
    elements.endDate.value = end;
  }
  setStatus('loading', `Loading metrics from ${baseUrl}…`);
  elements.report.hidden = false;

  try {
    const query = (path, params) => `${path}?${new URLSearchParams(params)}`;
    const [summary, daily, top, engagement, topTrips, experiment, typeNames, health] = await Promise.all([
      getJson(baseUrl, query('/api/metrics', { days }), functionKey, controller.signal),
      getJson(baseUrl, query('/api/metrics/daily', { start, end }), functionKey, controller.signal),
      getJson(baseUrl, query('/api/metrics/top-searches', { days, limit: 10 }), functionKey, controller.signal),
      getJson(baseUrl, query('/api/metrics/engagement', { start, end }), functionKey, controller.signal),
      getJson(baseUrl, query('/api/metrics/top-trips', { days, limit: 10, by: 'clicks' }), functionKey, controller.signal),
      experimentResults(baseUrl, functionKey, controller.signal),
      typeNamesFrom(baseUrl, controller.signal),
      healthOf(baseUrl, functionKey, controller.signal),
    ]);
    renderSummary(summary.data, days);
    renderPipeline(health);
    renderDaily(daily.data);
    renderTopSearches(top.data, typeNames, days);
    renderEngagement(engagement.total, topTrips.data, days);
    renderExperiment(experiment);
    setStatus('ready', `Showing ${daily.count} days, ${daily.start} to ${daily.end} (UTC).`);
  } catch (error) {
    if (error.name === 'AbortError') {
      return; // a newer load replaced this one
    }
    elements.report.hidden = true;
    setStatus('error', error instanceof DashboardError ? error.message : `Unexpected problem: ${error.message}`);
  } finally {
    if (inFlight === controller) {
      inFlight = null;
    }
  }
}

function forget() {
  inFlight?.abort();
  sessionStorage.removeItem(STORAGE_KEYS.functionKey);
  elements.functionKey.value = '';
  elements.report.hidden = true;
  setStatus('idle', 'The function key was removed from this tab.');
}

function start() {
  for (const [name, id] of Object.entries({
    form: 'connection', baseUrl: 'base-url', functionKey: 'function-key', days: 'days', endDate: 'end-date',
    load: 'load', forget: 'forget', status: 'status', report: 'report', summary: 'summary', pipeline: 'pipeline',
    engagement: 'engagement', experiment: 'experiment',
  })) {
    elements[name] = document.getElementById(id);
  }

  const servedOverHttp = window.location.protocol === 'http:' || window.location.protocol === 'https:';
  elements.baseUrl.value = sessionStorage.getItem(STORAGE_KEYS.baseUrl) ?? (servedOverHttp ? window.location.origin : '');
  elements.functionKey.value = sessionStorage.getItem(STORAGE_KEYS.functionKey) ?? '';

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  elements.forget.addEventListener('click', forget);

  if (elements.baseUrl.value && elements.functionKey.value) {
    load();
  }
}

document.addEventListener('DOMContentLoaded', start);

// The metrics dashboard: asks for the API base URL and a function key, reads /api/metrics, /api/metrics/daily and
// /api/metrics/top-searches, and draws the daily series and the top searches. Nothing is embedded in the page: the
// base URL and the key live in this tab's sessionStorage only.
import { barChart, lineChart, rankingChart } from './charts.js';

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

function renderSummary(summary, days) {
  const cards = [
    ['total_requests', 'Requests', formats.count],
    ['unique_sessions', 'Sessions', formats.count],
    ['avg_response_time_ms', 'Mean response', formats.ms],
    ['p95_response_time_ms', 'p95 response', formats.ms],
    ['avg_top_score', 'Mean top score', formats.score],
    ['relaxed_trigger_rate', 'Relaxed searches', formats.percent],
    ['no_results_rate', 'No results', formats.percent],
  ];
  const heading = document.createElement('h2');
  heading.textContent = `Last ${days} days, up to now`;
  const list = document.createElement('dl');
  for (const [key, name, format] of cards) {
    const card = document.createElement('div');
    card.className = 'card';
    card.dataset.metric = key;
    card.dataset.value = summary[key];
    const term = document.createElement('dt');
    term.textContent = name;
    const value = document.createElement('dd');
    value.textContent = format(summary[key]);
    card.append(term, value);
    list.append(card);
  }
  elements.summary.replaceChildren(heading, list);
}

/**
 * What waits for an operator, from /api/health (anonymous; it answers 503 with the same body while the database or the
 * queue is away): events the drain set aside, poison messages, search-log rows waiting for the database and rows dropped.
 * A count above zero is marked as a warning; a count the health check could not take reads "not reported".
 */
async function healthOf(baseUrl, signal) {
  try {
    const response = await fetch(`${baseUrl}/api/health`, { signal, headers: { Accept: 'application/json' } });
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

function series(daily, key) {
  return daily.map((day) => ({ key: day.date, value: day[key] }));
}

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
      { series: 'p50_response_time_ms', name: 'p50', className: 'series-a', points: series(daily, 'p50_response_time_ms') },
      { series: 'p95_response_time_ms', name: 'p95', className: 'series-b', points: series(daily, 'p95_response_time_ms') },
    ],
  });
  const rates = [
    { series: 'relaxed_trigger_rate', name: 'Relaxed searches', className: 'series-a', points: series(daily, 'relaxed_trigger_rate') },
    { series: 'no_results_rate', name: 'No results', className: 'series-b', points: series(daily, 'no_results_rate') },
  ];
  const highestRate = Math.max(0, ...rates.flatMap((line) => line.points.map((p) => p.value)));
  lineChart(plot('chart-rates'), {
    label: 'Rates', format: formats.percent, lines: rates, yMax: highestRate > 0.5 || highestRate === 0 ? 1 : undefined,
  });
  lineChart(plot('chart-top-score'), {
    label: 'Average top score', format: formats.score, yMax: 100,
    lines: [{ series: 'avg_top_score', name: 'Mean top score', className: 'series-a', points: series(daily, 'avg_top_score') }],
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
    const [summary, daily, top, typeNames, health] = await Promise.all([
      getJson(baseUrl, query('/api/metrics', { days }), functionKey, controller.signal),
      getJson(baseUrl, query('/api/metrics/daily', { start, end }), functionKey, controller.signal),
      getJson(baseUrl, query('/api/metrics/top-searches', { days, limit: 10 }), functionKey, controller.signal),
      typeNamesFrom(baseUrl, controller.signal),
      healthOf(baseUrl, controller.signal),
    ]);
    renderSummary(summary.data, days);
    renderPipeline(health);
    renderDaily(daily.data);
    renderTopSearches(top.data, typeNames, days);
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

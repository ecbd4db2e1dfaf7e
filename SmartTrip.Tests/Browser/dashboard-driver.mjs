// Drives the metrics dashboard in headless Chromium and prints, as one JSON object on stdout, what an operator
// would see: the loading state, the summary cards, every chart mark (value, hover text, size), the error texts and
// what sessionStorage holds. SmartTrip.Tests (DashboardBrowserTests) starts the development host, runs this script
// and asserts on the output. Inputs (environment): DASHBOARD_URL, FUNCTION_KEY, BROWSER_NOW (ISO instant the page's
// clock is pinned to), CHROMIUM (browser executable), SCREENSHOT (PNG path), UNAVAILABLE_URL (a host whose database is
// away, allowing the dashboard's origin).
import { chromium } from 'playwright-core';

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const dashboardUrl = required('DASHBOARD_URL');
const functionKey = required('FUNCTION_KEY');
const now = new Date(required('BROWSER_NOW'));
const screenshot = required('SCREENSHOT');
const timeout = 15_000;

const browser = await chromium.launch({
  executablePath: required('CHROMIUM'),
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});

const pageErrors = [];

async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.clock.setFixedTime(now);
  return page;
}

const status = (page) => page.locator('#status');
const waitForState = (page, state) => page.waitForSelector(`#status[data-state="${state}"]`, { timeout });

async function readReport(page) {
  return page.evaluate(() => {
    const summary = {};
    for (const card of document.querySelectorAll('#summary .card')) {
      summary[card.dataset.metric] = { value: card.dataset.value, text: card.querySelector('dd').textContent };
    }
    const engagement = {};
    for (const card of document.querySelectorAll('#engagement .card')) {
      engagement[card.dataset.metric] = { value: card.dataset.value, text: card.querySelector('dd').textContent };
    }
    const pipeline = {};
    for (const card of document.querySelectorAll('#pipeline .card')) {
      pipeline[card.dataset.metric] = { value: card.dataset.value, text: card.querySelector('dd').textContent, warning: card.classList.contains('warning') };
    }
    const marks = {};
    for (const mark of document.querySelectorAll('svg [data-series]')) {
      const box = mark.getBBox();
      (marks[mark.dataset.series] ??= []).push({
        key: mark.dataset.key,
        value: mark.dataset.value,
        title: mark.querySelector('title')?.textContent ?? null,
        width: box.width,
        height: box.height,
        y: mark.tagName === 'circle' ? Number(mark.getAttribute('cy')) : box.y,
        visible: mark.getBoundingClientRect().width > 0,
      });
    }
    const labels = {};
    for (const figure of document.querySelectorAll('figure.chart')) {
      labels[figure.id] = {
        caption: figure.querySelector('figcaption').textContent,
        ticks: [...figure.querySelectorAll('.grid text')].map((tick) => tick.textContent),
        items: [...figure.querySelectorAll('.item-label')].map((label) => label.textContent),
        rows: [...figure.querySelectorAll('tbody tr')].map((row) => [...row.cells].map((cell) => cell.textContent)),
        empty: figure.querySelector('.empty')?.textContent ?? null,
      };
    }
    const section = document.getElementById('experiment');
    const experiment = {
      heading: section.querySelector('h2')?.textContent ?? null,
      rows: [...section.querySelectorAll('tbody tr')].map((row) => [...row.cells].map((cell) => cell.textContent)),
      ratio: section.querySelector('.ratio')?.textContent ?? null,
      ratioWarning: section.querySelector('.ratio')?.classList.contains('warning') ?? false,
      empty: section.querySelector('.empty')?.textContent ?? null,
    };
    return { summary, engagement, pipeline, marks, charts: labels, experiment };
  });
}

const result = {};
try {
  // 1. First visit: the form is filled with this origin, no key. Loading is held until its state has been read.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
  const page = await newPage(context);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/metrics**', async (route) => { await held; await route.continue(); });
  await page.goto(dashboardUrl);
  result.initial = {
    baseUrl: await page.inputValue('#base-url'),
    functionKey: await page.inputValue('#function-key'),
    status: await status(page).textContent(),
    reportHidden: await page.locator('#report').isHidden(),
  };

  await page.fill('#function-key', functionKey);
  await page.click('#load');
  await waitForState(page, 'loading');
  result.loading = {
    status: await status(page).textContent(),
    ariaBusy: await page.getAttribute('#report', 'aria-busy'),
    buttonDisabled: await page.locator('#load').isDisabled(),
  };
  release();
  await waitForState(page, 'ready');
  await page.unroute('**/api/metrics**');
  result.ready = {
    status: await status(page).textContent(),
    ariaBusy: await page.getAttribute('#report', 'aria-busy'),
    endDate: await page.inputValue('#end-date'),
    ...(await readReport(page)),
  };
  await page.screenshot({ path: screenshot, fullPage: true });

  // 2. The key lives in this tab's sessionStorage: a reload loads by itself, a new browser context starts empty.
  result.storage = await page.evaluate(() => Object.fromEntries(Object.entries(sessionStorage)));
  await page.reload();
  await waitForState(page, 'ready');
  result.afterReload = { functionKey: await page.inputValue('#function-key'), status: await status(page).textContent() };
  await page.click('#forget');
  result.afterForget = {
    functionKey: await page.inputValue('#function-key'),
    storage: await page.evaluate(() => Object.fromEntries(Object.entries(sessionStorage))),
    reportHidden: await page.locator('#report').isHidden(),
  };

  // 3. Error states: a refused key, an address nothing listens on, a base URL that is not a URL, no key, and an API
  // whose database is away (503 with Retry-After).
  const other = await browser.newContext();
  const errors = await newPage(other);
  await errors.goto(dashboardUrl);
  result.otherContextKey = await errors.inputValue('#function-key');
  const attempt = async (baseUrl, key) => {
    await errors.fill('#base-url', baseUrl);
    await errors.fill('#function-key', key);
    await errors.click('#load');
    await waitForState(errors, 'error');
    const text = await status(errors).textContent();
    await errors.evaluate(() => { document.getElementById('status').dataset.state = 'idle'; });
    return { status: text, reportHidden: await errors.locator('#report').isHidden() };
  };
  const origin = new URL(dashboardUrl).origin;
  result.errors = {
    wrongKey: await attempt(origin, 'not-the-key'),
    unreachable: await attempt('http://127.0.0.1:9', functionKey),
    notUrl: await attempt('func-smarttrip', functionKey),
    noKey: await attempt(origin, ''),
    unavailable: await attempt(required('UNAVAILABLE_URL'), functionKey),
  };
  result.pageErrors = pageErrors;
  process.stdout.write(JSON.stringify(result));
} finally {
  await browser.close();
}

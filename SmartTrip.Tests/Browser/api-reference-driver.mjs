// Opens the development host's API reference page (/api-docs/) in headless Chromium and prints, as JSON, what it shows:
// the document's title and every operation (method and path), and any page error or console error (CSP violations
// included). Inputs (environment): REFERENCE_URL, CHROMIUM.
import { chromium } from 'playwright-core';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('response', (response) => { if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`); });
  await page.goto(process.env.REFERENCE_URL);
  await page.waitForSelector('.opblock', { timeout: 20_000 });
  const shown = await page.evaluate(() => ({
    title: document.querySelector('.info .title')?.childNodes[0]?.textContent?.trim() ?? null,
    operations: [...document.querySelectorAll('.opblock')].map((block) =>
      `${block.querySelector('.opblock-summary-method').textContent} ${block.querySelector('.opblock-summary-path').dataset.path}`),
  }));
  process.stdout.write(JSON.stringify({ ...shown, errors }));
} finally {
  await browser.close();
}

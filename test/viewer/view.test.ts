// `gramr view` in a real browser: Debian's chromium driven by playwright-core loads the page of a small evaluated
// run (the tiny judge, test/judging/judged-run.ts), lists the stages, shows the run report with its plot, filters the judgments (wrong, flipped, no
// answer, domain), pages, and shows both orders' prompts and rationales side by side; the screenshot for the docs
// is written to docs/images/gramr-view.png when GRAMR_SCREENSHOT=1. Skips, saying why, only when chromium is absent
// and GRAMR_REQUIRE_BROWSER is not set (CI sets it). Also checks the server refuses paths outside the run.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { serveRun, type RunViewer } from '../../plugins/viewer/index.js';
import { judgedRun, type JudgedRun } from '../judging/judged-run.js';

const CHROMIUM = process.env.GRAMR_CHROMIUM ?? '/usr/bin/chromium';
const hasBrowser = existsSync(CHROMIUM);
const browserTest = hasBrowser || process.env.GRAMR_REQUIRE_BROWSER === '1' ? test : test.skip;
if (!hasBrowser) {
  console.warn(`view.test: ${CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium); `
    + `${process.env.GRAMR_REQUIRE_BROWSER === '1' ? 'GRAMR_REQUIRE_BROWSER=1, so the browser test fails' : 'the browser test is skipped'}`);
}

let run: JudgedRun;
let viewer: RunViewer;
let browser: BrowserContext | undefined;
let profile = '';
test.before(async () => {
  run = await judgedRun();
  viewer = await serveRun(run.runDir, 0);
});
test.after.always(async () => {
  await browser?.close();
  await viewer?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  const { chromium } = await import('playwright-core');
  profile = mkdtempSync(join(tmpdir(), 'gramr-chromium-'));
  // A fresh profile (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  await page.goto(viewer.url);
  return page;
}

const totalText = (page: Page): Promise<string> => page.locator('#total').innerText();

browserTest('the page lists the stages and browses judgments: filters, domains, paging, both orders side by side', async (t) => {
  const page = await openPage();
  await page.waitForSelector('#stages li[data-stage="evaluate"]');
  t.deepEqual(await page.locator('#stages li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-stage'))), ['(run)', 'evaluate', 'cut-short', 'report']);
  t.regex(await page.locator('#stages li[data-stage="evaluate"]').innerText(), /pairwise on 13 records: accuracy \d+\.\d%/);
  // The run's report opens first, its plot drawn from the run folder's SVG.
  await page.locator('#report img').first().waitFor();
  t.regex(await page.locator('#report h2').first().innerText(), /Run report/);
  t.true(await page.locator('#report img').first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0), 'the SVG plot loaded');
  t.true(await page.locator('#browser').isHidden());
  // An evaluate stage: its report and 13 pairs (page 1 of 1).
  await page.click('#stages li[data-stage="evaluate"]');
  await page.locator('#total', { hasText: 'of 13 pairs' }).waitFor();
  t.is(await totalText(page), '1–13 of 13 pairs');
  t.is(await page.locator('#report table').count() > 0, true, 'the stage report is rendered as tables');
  t.is(await page.locator('.pair').count(), 13);

  await page.check('#filter-wrong');
  await page.locator('#total', { hasText: 'of 4 pairs' }).waitFor();
  t.deepEqual((await page.locator('.pair').evaluateAll((ps) => ps.map((p) => p.getAttribute('data-id')))).sort(),
    ['mislabeled-1', 'mislabeled-2', 'two-good-1', 'two-good-2']);
  await page.check('#filter-flips');
  await page.locator('#total', { hasText: 'of 2 pairs' }).waitFor();
  const card = page.locator('.pair[data-id="two-good-1"]');
  t.regex(await card.locator('h3').innerText(), /two-good-1 · math · gold A\s*wrong\s*flipped/);
  // Both orders side by side, each with its rationale and (on demand) its prompt.
  t.deepEqual(await card.locator('.order').evaluateAll((os) => os.map((o) => o.getAttribute('data-order'))), ['original', 'swapped']);
  t.deepEqual(await card.locator('.rationale').allInnerTexts(), ['good', 'fine'], 'the tiny judge writes the first response shown');
  const prompts = await card.locator('pre.prompt').allTextContents();
  t.is(prompts.length, 2);
  t.true(prompts[0]!.startsWith('<|user|>'));
  t.true(prompts[0]!.includes("[The Start of Assistant A's Response]\ngood\n"));
  t.true(prompts[1]!.includes("[The Start of Assistant A's Response]\nfine\n"), 'the swapped prompt shows the other response first');
  const [left, right] = await card.locator('.order').evaluateAll((os) => os.map((o) => o.getBoundingClientRect().left));
  t.true(right! > left! + 200, 'the two orders are in columns');
  if (process.env.GRAMR_SCREENSHOT === '1') {
    await page.uncheck('#filter-flips');
    await page.locator('#total', { hasText: 'of 4 pairs' }).waitFor();
    await page.locator('.pair[data-id="mislabeled-1"] details').first().evaluate((d) => d.setAttribute('open', ''));
    mkdirSync(resolve('docs/images'), { recursive: true });
    await page.screenshot({ path: resolve('docs/images/gramr-view.png'), fullPage: false });
    await page.check('#filter-flips');
  }

  await page.uncheck('#filter-wrong');
  await page.uncheck('#filter-flips');
  await page.selectOption('#filter-domain', 'chat');
  await page.locator('#total', { hasText: 'of 9 pairs' }).waitFor();
  t.true((await page.locator('.pair h3').allInnerTexts()).every((h) => / · chat · gold A/.test(h)));

  // The stage where every generation was cut short: all pairs unanswered, with the parse failure shown.
  await page.click('#stages li[data-stage="cut-short"]');
  await page.locator('#browser-title', { hasText: 'Judgments of cut-short' }).waitFor();
  await page.check('#filter-no-answer');
  await page.locator('#total', { hasText: 'of 13 pairs' }).waitFor();
  t.regex(await page.locator('.pair .verdict').first().innerText(), /no answer \(no-answer-tag\)/);
});

test('the server pages judgments itself and serves nothing outside the run folder', async (t) => {
  const page = (await (await fetch(`${viewer.url}api/judgments?stage=evaluate&offset=10&limit=5`)).json()) as { total: number; offset: number; pairs: unknown[] };
  t.like(page, { total: 13, offset: 10 });
  t.is(page.pairs.length, 3);
  t.is((await fetch(`${viewer.url}files/..%2F..%2Fp.yaml`)).status, 404);
  t.is((await fetch(`${viewer.url}files/evaluate/manifest.json`)).status, 200);
  t.is((await fetch(`${viewer.url}api/judgments?stage=..`)).status, 404);
  t.true(viewer.url.startsWith('http://127.0.0.1:'));
});

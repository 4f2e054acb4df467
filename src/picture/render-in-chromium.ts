import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { importOptional } from '../optional-package.js';
import { errorText } from '../error-text.js';

/** Where Chromium is looked for when `SLUICE_CHROMIUM` is not set (Debian's `chromium` package). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * The flags Chromium is launched with. Why the background-networking ones:
 * without them Chromium phones home at start, and on machines without
 * internet those connections are refused; a picture needs no network at all.
 *
 * @example
 * ```ts
 * CHROMIUM_ARGS.includes('--disable-background-networking'); // true
 * ```
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TIMEOUT_MS = 60_000;

// Page-side code as text: this package compiles without the DOM lib, and these run in the browser.
const SERIALIZE_SVG = `(() => {
  const element = document.querySelector('#diagram svg');
  if (element === null) return undefined;
  const copy = element.cloneNode(true);
  copy.style.backgroundColor = '#ffffff';
  return new XMLSerializer().serializeToString(copy);
})()`;

/**
 * No usable Chromium: the message says where it was looked for and how to fix it.
 *
 * @example
 * ```ts
 * try { await renderPageToPng(html); } catch (e) { if (e instanceof ChromiumMissingError) console.error(e.message); }
 * ```
 */
export class ChromiumMissingError extends Error {
  constructor(path: string, fromEnv: boolean) {
    super(
      `headless Chromium is needed to draw svg/png, and there is no executable at ${path}` +
        `${fromEnv ? ' (from SLUICE_CHROMIUM)' : ''}: install it (\`apt-get install chromium\`) ` +
        'or set SLUICE_CHROMIUM to a Chromium or Chrome binary; `--format html` needs no browser',
    );
    this.name = 'ChromiumMissingError';
  }
}

/**
 * The page could not draw its picture (mermaid refused the chart, or it never finished).
 *
 * @example
 * ```ts
 * await renderPageToSvg(html).catch((e) => e instanceof PictureError && console.error(e.message));
 * ```
 */
export class PictureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PictureError';
  }
}

/**
 * The Chromium binary to use: `SLUICE_CHROMIUM` (a path, or a name looked up
 * on `PATH`), else `/usr/bin/chromium`. Throws {@link ChromiumMissingError}
 * when it is not an executable file.
 *
 * @example
 * ```ts
 * chromiumPath({ SLUICE_CHROMIUM: '/opt/chrome/chrome' }); // '/opt/chrome/chrome' if it exists
 * ```
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env.SLUICE_CHROMIUM !== undefined && env.SLUICE_CHROMIUM !== '' ? env.SLUICE_CHROMIUM : undefined;
  const path = wanted ?? DEFAULT_CHROMIUM;
  const candidates = path.includes('/') ? [path] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, path));
  const found = candidates.find(isExecutable);
  if (found === undefined) throw new ChromiumMissingError(path, wanted !== undefined);
  return found;
}

/**
 * Launches headless Chromium with {@link CHROMIUM_ARGS}. The caller closes it.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * try { const page = await browser.newPage(); … } finally { await browser.close(); }
 * ```
 */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = chromiumPath(env);
  const { chromium } = await importOptional('playwright-core', () => import('playwright-core'), 'drawing svg/png pictures', '`--format html` needs no browser');
  try {
    return await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS], timeout: TIMEOUT_MS });
  } catch (error) {
    const first = errorText(error).split('\n')[0];
    throw new Error(`Chromium at ${executablePath} did not start: ${first} (set SLUICE_CHROMIUM to another binary?)`);
  }
}

/**
 * Options of {@link renderHtmlToPng}.
 *
 * @example
 * ```ts
 * const options: HtmlToPngOptions = { width: 1200, selector: '#chart', readySelector: 'svg' };
 * ```
 */
export interface HtmlToPngOptions {
  /** Viewport width in CSS pixels; the page is laid out at this width. */
  readonly width: number;
  /** Initial viewport height; a full-page screenshot grows past it. Default 800. */
  readonly height?: number;
  /** Device pixels per CSS pixel. Default 2, for a sharp picture. */
  readonly scale?: number;
  /** Screenshot only this element; default the whole page. */
  readonly selector?: string;
  /** Wait until this selector matches before the screenshot (for pages that draw in script). */
  readonly readySelector?: string;
}

/**
 * Renders any self-contained HTML page to a PNG in headless Chromium, with
 * network requests blocked: for pictures built from local data (a topology,
 * a benchmark chart).
 *
 * @example
 * ```ts
 * const png = await renderHtmlToPng('<svg …>…</svg>', { width: 900 });
 * writeFileSync('chart.png', png);
 * ```
 */
export async function renderHtmlToPng(html: string, options: HtmlToPngOptions): Promise<Buffer> {
  return withPage(html, options, async (page) => {
    if (options.readySelector !== undefined) await page.waitForSelector(options.readySelector, { state: 'attached', timeout: TIMEOUT_MS });
    if (options.selector === undefined) return page.screenshot({ type: 'png', fullPage: true, animations: 'disabled' });
    return page.locator(options.selector).screenshot({ type: 'png', animations: 'disabled', timeout: TIMEOUT_MS });
  });
}

/**
 * Draws a page made by `topologyPage()` and returns the mermaid `<svg>`,
 * standalone (namespaced XML, natural size, white background).
 *
 * @example
 * ```ts
 * writeFileSync('bus-telemetry.svg', await renderPageToSvg(html));
 * ```
 */
export async function renderPageToSvg(html: string): Promise<string> {
  return withPage(html, { width: 1600 }, async (page) => {
    await waitUntilDrawn(page);
    const svg = await page.evaluate(SERIALIZE_SVG);
    if (typeof svg !== 'string') throw new PictureError('the page reported the topology drawn, but #diagram holds no <svg>');
    return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
  });
}

/**
 * Draws a page made by `topologyPage()` and screenshots its `#picture`
 * (heading, drawing, legend) as a PNG at its natural size.
 *
 * @example
 * ```ts
 * writeFileSync('bus-telemetry.png', await renderPageToPng(html));
 * ```
 */
export async function renderPageToPng(html: string, options: { readonly scale?: number } = {}): Promise<Buffer> {
  return withPage(html, { width: 1600, ...options }, async (page) => {
    await waitUntilDrawn(page);
    const picture = page.locator('#picture');
    const box = await picture.boundingBox();
    if (box === null) throw new PictureError('the page has no visible #picture to screenshot');
    // A viewport as large as the picture, so no part of it is clipped or scrolled.
    await page.setViewportSize({ width: Math.ceil(box.x + box.width), height: Math.ceil(box.y + box.height) });
    return picture.screenshot({ type: 'png', animations: 'disabled', timeout: TIMEOUT_MS });
  });
}

async function withPage<T>(html: string, options: { readonly width: number; readonly height?: number; readonly scale?: number }, work: (page: Page) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: options.width, height: options.height ?? 800 }, deviceScaleFactor: options.scale ?? 2 });
    // Everything a picture needs is in the page; anything else would be a leak or a hang.
    await context.route((url) => !['file:', 'data:', 'about:', 'blob:'].includes(url.protocol), (route) => route.abort('blockedbyclient'));
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load', timeout: TIMEOUT_MS });
    return await work(page);
  } finally {
    await browser.close();
  }
}

async function waitUntilDrawn(page: Page): Promise<void> {
  try {
    await page.waitForSelector('body[data-state]', { state: 'attached', timeout: TIMEOUT_MS });
  } catch {
    throw new PictureError(`the topology was not drawn within ${TIMEOUT_MS / 1000} s`);
  }
  const state = await page.evaluate('document.body.dataset.state');
  if (state !== 'drawn') {
    const message = await page.evaluate("document.getElementById('error')?.textContent ?? ''");
    throw new PictureError(typeof message === 'string' && message !== '' ? message : `the page ended in state "${String(state)}"`);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

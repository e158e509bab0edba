/**
 * The report in a real browser (Debian's chromium driven by puppeteer-core): it loads without a
 * console error or a network request, every plot has drawn its marks in the numbers the input
 * implies, and a screenshot is saved. Required where HEPC_BROWSER_TESTS=1 (CI installs chromium);
 * elsewhere skipped when no chromium is found.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "puppeteer-core";
import { renderReport } from "../../report/index.js";
import { buildFixture, ETA_EDGES, FEATURE_BINS, PT_EDGES, SCORE_BINS } from "./fixture.js";

const chromium = process.env.HEPC_CHROMIUM ?? "/usr/bin/chromium";
const required = process.env.HEPC_BROWSER_TESTS === "1";
const available = existsSync(chromium);
if (!available && !required) {
  console.warn(`report browser test skipped: no chromium at ${chromium}. Install it with \`apt-get install -y chromium\` (Debian/Ubuntu), or point HEPC_CHROMIUM at a Chromium binary; HEPC_BROWSER_TESTS=1 makes the test required.`);
}

describe.skipIf(!available && !required)("report in a browser", () => {
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), "hepc-report-browser-"));

  beforeAll(async () => {
    if (!available) throw new Error(`HEPC_BROWSER_TESTS=1 but no chromium at ${chromium} (apt-get install -y chromium, or set HEPC_CHROMIUM)`);
    const { input } = buildFixture();
    const { html } = await renderReport(input);
    const file = path.join(dir, "report.html");
    writeFileSync(file, html);
    const puppeteer = (await import("puppeteer-core")).default;
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      userDataDir: mkdtempSync(path.join(tmpdir(), "hepc-chromium-profile-")),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
    });
    page = await browser.newPage();
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    await page.setRequestInterception(true);
    page.on("request", (r) => {
      if (r.url() !== pathToFileURL(file).href) { requests.push(r.url()); void r.abort(); } else void r.continue();
    });
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const count = (plot: string, selector: string) =>
    page.$$eval(`figure[data-plot="${plot}"] ${selector}`, (els) => els.length);

  it("loads with no console error and fetches nothing", async () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.title()).toBe("Tau identification");
  });

  it("draws one path per ROC curve, with the reference and its ratio panel", async () => {
    expect(await count("roc_bdt_SR", "g.curves_marks path")).toBe(2); // bdt and its reference
    expect(await count("roc_bdt_SR", "g.ratio_marks path")).toBe(1);
    expect(await count("roc_cut_based_SR", "g.curves_marks path")).toBe(1);
    expect(await count("roc_cut_based_SR", "g.ratio_marks path")).toBe(0);
    expect(await count("pr_bdt_SR", "g.curves_marks path")).toBe(2);
    // the rejection axis is logarithmic: its labels are powers spread over decades
    const labels = await page.$$eval('figure[data-plot="roc_bdt_SR"] text', (t) => t.map((x) => x.textContent));
    expect(labels).toContain("Background rejection 1/ε_b");
    expect(labels).toContain("Signal efficiency ε_s");
  });

  it("draws a bar per bin and class in the histograms", async () => {
    expect(await count("feature_tau_pt_SR", "g.bars_marks path")).toBe(FEATURE_BINS * 2);
    expect(await count("feature_tau_abseta_SR", "g.bars_marks path")).toBe(FEATURE_BINS * 2);
    expect(await count("scores_bdt_SR", "g.bars_marks path")).toBe(SCORE_BINS * 2); // held-out, per class
    expect(await count("scores_bdt_SR", "g.points_marks path")).toBe(SCORE_BINS * 2); // training folds
    for (const c of ["ttH", "ttbar", "wjets"]) expect(await count(`scores_mlp_SR_${c}`, "g.bars_marks path")).toBe(SCORE_BINS * 3);
    // the feature with no events is not drawn but said
    expect(await page.$(`figure[data-plot^="feature_tau_pt_CR_empty"]`)).toBeNull();
    expect(await page.$eval("#features", (s) => s.textContent)).toContain("tau_pt in CR_empty: no events in any class.");
  });

  it("draws the training curves per fold and part, and efficiencies per non-empty bin", async () => {
    expect(await count("training_bdt", "g.curves_marks path")).toBe(3 * 2);
    expect(await count("training_mlp", "g.curves_marks path")).toBe(2 * 2);
    const filledPtBins = PT_EDGES.length - 2; // the last pt bin holds no events
    for (let k = 0; k < ETA_EDGES.length - 1; k++) {
      // three working points, bdt and its reference
      expect(await count(`efficiency_bdt_SR_signal_tau_abseta${k}`, "g.points_marks path")).toBe(3 * filledPtBins * 2);
    }
  });

  it("every plot has drawn marks and titled axes; no NaN on the page", async () => {
    const plots = await page.$$eval("figure.plot", (fs) => fs.map((f) => ({
      name: f.getAttribute("data-plot"),
      marks: f.querySelectorAll("g.role-mark path, g.role-mark line").length,
      width: f.querySelector("svg")?.getBoundingClientRect().width ?? 0,
      axisTitles: f.querySelectorAll("g.role-axis-title text").length,
    })));
    expect(plots.length).toBeGreaterThan(15);
    for (const p of plots) {
      expect(p.marks, p.name!).toBeGreaterThan(0);
      expect(p.width, p.name!).toBeGreaterThan(200);
      expect(p.axisTitles, p.name!).toBeGreaterThanOrEqual(2);
    }
    const text = await page.$eval("body", (b) => b.innerText);
    expect(text).not.toMatch(/NaN|Infinity|undefined ≤/);
    expect(text).toContain("No evaluation of broken: the model's output has 3 columns, the train block 2 classes.");
  });

  it("saves a screenshot", async () => {
    const shot = path.join(dir, "report.png");
    await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    console.log(`report screenshot: ${shot}`);
  });
});

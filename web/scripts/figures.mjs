// The web app's figures, measured in one run (`make web-figures`):
// - the gzipped JavaScript and CSS the first screen (sign-in) loads, from web/dist;
// - Lighthouse performance and accessibility scores (mobile, simulated throttling) for the
//   sign-in page and the client dashboard, in Debian's chromium against the local portal.
// Writes test-artifacts/web-figures.json and .md and prints the table.
import { spawn } from "node:child_process";
import { gzipSync } from "node:zlib";
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import lighthouse from "lighthouse";

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(web, "..");
const artifacts = path.join(root, "test-artifacts");
mkdirSync(artifacts, { recursive: true });

function gzipped(file) {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

/** What index.html pulls in before anything is clicked: the entry script, its static imports, the CSS. */
function firstScreenBytes() {
  const dist = path.join(web, "dist");
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  const referenced = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((match) => match[1]);
  const js = referenced.filter((file) => file.endsWith(".js"));
  const css = referenced.filter((file) => file.endsWith(".css"));
  const all = readdirSync(path.join(dist, "assets")).filter((file) => file.endsWith(".js"));
  const sum = (files) => files.reduce((total, file) => total + gzipped(path.join(dist, file)), 0);
  return {
    first_screen_js_gzip_bytes: sum(js),
    first_screen_css_gzip_bytes: sum(css),
    all_js_gzip_bytes: sum(all.map((file) => `assets/${file}`)),
    js_files: all.length,
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function startPortal() {
  const port = await freePort();
  const binary = process.env.ATRIUM_LOCAL_BIN ?? path.join(root, "target/debug/atrium-local");
  const portal = spawn(binary, [], { env: { ...process.env, ATRIUM_PORT: String(port), ATRIUM_ROOT: root }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    let output = "";
    portal.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ctrl-C stops everything")) resolve();
    });
    portal.on("exit", (code) => reject(new Error(`atrium-local exited with ${code}: ${output}`)));
  });
  return { portal, base: `http://localhost:${port}` };
}

async function audit(url, debuggingPort) {
  const result = await lighthouse(url, {
    port: debuggingPort,
    output: "json",
    logLevel: "error",
    onlyCategories: ["performance", "accessibility"],
    formFactor: "mobile",
    screenEmulation: { mobile: true, width: 390, height: 844, deviceScaleFactor: 2, disabled: false },
  });
  const lhr = result.lhr;
  const failing = Object.values(lhr.audits)
    .filter((entry) => entry.score !== null && entry.score < 1 && lhr.categories.accessibility.auditRefs.some((ref) => ref.id === entry.id))
    .map((entry) => entry.id);
  return {
    url,
    performance: Math.round((lhr.categories.performance.score ?? 0) * 100),
    accessibility: Math.round((lhr.categories.accessibility.score ?? 0) * 100),
    first_contentful_paint_ms: Math.round(lhr.audits["first-contentful-paint"].numericValue),
    largest_contentful_paint_ms: Math.round(lhr.audits["largest-contentful-paint"].numericValue),
    total_blocking_time_ms: Math.round(lhr.audits["total-blocking-time"].numericValue),
    cumulative_layout_shift: Number(lhr.audits["cumulative-layout-shift"].numericValue.toFixed(3)),
    accessibility_failures: failing,
  };
}

const bytes = firstScreenBytes();
const { portal, base } = await startPortal();
const debuggingPort = await freePort();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", `--remote-debugging-port=${debuggingPort}`, "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let pages;
try {
  const signIn = await audit(`${base}/`, debuggingPort);
  // Sign the demo contact in (the cookies live in the browser Lighthouse drives).
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel("Email").fill("dana@northwind.example");
  await page.getByLabel("Password").fill("Northwind-Dana-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /Welcome/ }).waitFor();
  const dashboard = await audit(`${base}/`, debuggingPort);
  pages = { sign_in: signIn, client_dashboard: dashboard };
} finally {
  await browser.close();
  portal.kill("SIGINT");
}

const figures = { measured_at: new Date().toISOString(), ...bytes, lighthouse: pages };
writeFileSync(path.join(artifacts, "web-figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
const kb = (value) => `${(value / 1024).toFixed(1)} KB`;
const lines = [
  "| figure | value |",
  "|---|---|",
  `| first screen JS, gzipped | ${kb(bytes.first_screen_js_gzip_bytes)} |`,
  `| first screen CSS, gzipped | ${kb(bytes.first_screen_css_gzip_bytes)} |`,
  `| all JS, gzipped (${bytes.js_files} files, loaded on demand) | ${kb(bytes.all_js_gzip_bytes)} |`,
  ...Object.entries(pages).flatMap(([name, entry]) => [
    `| ${name}: Lighthouse performance / accessibility (mobile) | ${entry.performance} / ${entry.accessibility} |`,
    `| ${name}: FCP / LCP / TBT / CLS | ${entry.first_contentful_paint_ms} ms / ${entry.largest_contentful_paint_ms} ms / ${entry.total_blocking_time_ms} ms / ${entry.cumulative_layout_shift} |`,
    ...(entry.accessibility_failures.length ? [`| ${name}: accessibility audits not passed | ${entry.accessibility_failures.join(", ")} |`] : []),
  ]),
];
writeFileSync(path.join(artifacts, "web-figures.md"), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));

// End to end in Debian's chromium against the local portal: files the way firms send them
// (issue 18). A 200 MB file goes up in parts through a reload and a network cut without
// starting over; a PDF is previewed in the page (pdf.js draws it on a canvas); the EICAR test
// file a client sends is quarantined and never offered to the firm.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_CONTACT, newPage, shoot, signInAsContact, signInAsStaff, startPortal } from "./support.mjs";

let env;
let scratch;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "atrium-files-e2e-"));
  env = await startPortal();
});

after(async () => {
  await env?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const MiB = 1024 * 1024;
const PART_SIZE = 8 * MiB;
const IN_FLIGHT = 4;

/** Waits until `check()` is true (polled), or fails with `what`. */
async function until(check, what, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A file of `size` bytes on disk, written a mebibyte at a time (never whole in memory). */
function bigFile(name, size) {
  const file = path.join(scratch, name);
  const descriptor = openSync(file, "w");
  const block = Buffer.alloc(MiB);
  for (let index = 0; index < block.length; index += 1) block[index] = (index * 7) & 0xff;
  for (let written = 0, round = 0; written < size; round += 1) {
    // Every mebibyte differs, so a part sent in the wrong place would not match its checksum.
    block.writeUInt32BE(round, 0);
    const length = Math.min(block.length, size - written);
    writeSync(descriptor, block, 0, length);
    written += length;
  }
  closeSync(descriptor);
  return file;
}

/** A small valid PDF: a blue square and a line of text. */
function pdfFile(name, text) {
  const content = `0 0.4 0.8 rg 72 420 220 220 re f 0 0 0 rg BT /F1 28 Tf 72 700 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return { name, mimeType: "application/pdf", buffer: Buffer.from(body, "latin1") };
}

async function openNorthwindDocuments(page) {
  await page.getByRole("link", { name: "Northwind Traders" }).click();
  await page.getByRole("heading", { name: "Northwind Traders" }).waitFor();
  await page.getByRole("navigation", { name: /workspace/ }).getByRole("link", { name: "Documents" }).click();
  await page.getByRole("heading", { name: "Documents", exact: true }).waitFor();
}

test("staff share a 200 MB file in parts; the page is reloaded and the network cut mid-way; it finishes without starting over", async () => {
  const size = 200 * MiB;
  const file = bigFile("year-end-archive.zip", size);
  const partCount = Math.ceil(size / PART_SIZE);
  const staff = await newPage(env.browser);
  const { page, context } = staff;
  await signInAsStaff(page, env.base);
  await openNorthwindDocuments(page);

  // Every part PUT the browser sends, and how each ended.
  const partPuts = [];
  const succeeded = new Map();
  let failed = 0;
  let starts = 0;
  const partOf = (request) => (request.method() === "PUT" && /[?&]partNumber=\d+/.test(request.url()) ? Number(new URL(request.url()).searchParams.get("partNumber")) : undefined);
  page.on("request", (request) => {
    const number = partOf(request);
    if (number !== undefined) partPuts.push(number);
    if (request.method() === "POST" && /\/api\/clients\/[^/]+\/documents$/.test(new URL(request.url()).pathname)) starts += 1;
  });
  page.on("requestfinished", async (request) => {
    const number = partOf(request);
    if (number === undefined) return;
    const response = await request.response();
    if (response && response.status() >= 200 && response.status() < 300) succeeded.set(number, (succeeded.get(number) ?? 0) + 1);
    else failed += 1;
  });
  page.on("requestfailed", (request) => {
    if (partOf(request) !== undefined) failed += 1;
  });

  await page.getByLabel("Document name").fill("Year-end archive");
  await page.getByLabel("Choose a file to share").setInputFiles(file);
  await page.getByRole("button", { name: "Share document" }).click();
  // The bar shows percent, speed and time left once parts are moving.
  const stats = page.locator(".upload-stats");
  await until(async () => succeeded.size >= 3 && /MB\/s/.test((await stats.allInnerTexts()).join(" ")), "parts uploaded and the speed shown", 120_000);

  // The page is reloaded mid-way; choosing the same file again continues the upload.
  await page.reload();
  const heldAtReload = new Set(succeeded.keys());
  const putsAtReload = partPuts.length;
  assert.ok(heldAtReload.size < partCount, "the reload came before the end");
  await page.getByText(/The upload of year-end-archive\.zip \(200\.0 MB\) was interrupted/).waitFor();
  await page.getByLabel("Choose a file to share").setInputFiles(file);
  await page.getByText("continues the interrupted upload").waitFor();
  await page.getByRole("button", { name: "Share document" }).click();
  await until(() => succeeded.size >= heldAtReload.size + 4, "more parts after the reload", 120_000);

  // The network goes: the parts in flight fail, the upload waits instead of failing.
  await context.setOffline(true);
  const putsAtCut = partPuts.length;
  const sentBeforeCut = succeeded.size;
  await page
    .getByText(/Connection lost/)
    .waitFor({ timeout: 15_000 })
    .catch(async (error) => {
      throw new Error(`${error.message}\n${succeeded.size} of ${partCount} parts stored, ${partPuts.length} PUTs, ${failed} failed; on screen: ${await page.locator(".upload").innerText()}`);
    });
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  await shoot(page, "files-multipart-offline");
  await page.waitForTimeout(3000);
  const putsWhileOffline = partPuts.length - putsAtCut;
  await context.setOffline(false);

  await page.getByText("Upload complete").waitFor({ timeout: 300_000 });
  assert.ok(sentBeforeCut < partCount, "the cut came before the end");
  // Every part was sent, and none was stored twice. (A part in flight when the page was
  // reloaded may have reached S3 without the page seeing the answer: it is not sent again.)
  assert.deepEqual(
    [...new Set(partPuts)].sort((a, b) => a - b),
    Array.from({ length: partCount }, (_, index) => index + 1),
  );
  for (const [number, times] of succeeded) assert.equal(times, 1, `part ${number} was stored ${times} times`);
  // After the reload, no part S3 already held was sent again.
  assert.deepEqual(
    partPuts.slice(putsAtReload).filter((number) => heldAtReload.has(number)),
    [],
  );
  // At most the parts in flight at the reload and at the cut were sent again (each of the four lanes loses at most one each time).
  assert.ok(failed <= 2 * IN_FLIGHT, `${failed} part PUTs failed`);
  assert.ok(partPuts.length <= partCount + 2 * IN_FLIGHT, `${partPuts.length} part PUTs for ${partCount} parts`);
  // While offline the upload waits for the network instead of trying again and again.
  assert.ok(putsWhileOffline <= IN_FLIGHT, `${putsWhileOffline} part PUTs while offline`);
  assert.equal(starts, 1, "the upload was started once");

  // The document is listed; its version is checked, then offered.
  await page.getByRole("link", { name: "Year-end archive" }).click();
  await page.getByRole("heading", { name: "Year-end archive" }).waitFor();
  await page.getByRole("button", { name: /^Download version 1, year-end-archive\.zip/ }).waitFor({ timeout: 60_000 });
  await context.close();
});

test("a PDF is previewed in the page: pdf.js draws it on a canvas, in a dialog that Escape closes", async () => {
  const staff = await newPage(env.browser);
  const { page } = staff;
  const navigations = [];
  page.on("framenavigated", (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
  // pdf.js runs in its own worker, served by the portal, within the portal's CSP.
  const complaints = [];
  page.on("console", (message) => /Content.Security.Policy|fake worker|eval/i.test(message.text()) && complaints.push(message.text()));
  await signInAsStaff(page, env.base);
  await openNorthwindDocuments(page);
  await page.getByLabel("Document name").fill("Engagement summary");
  await page.getByLabel("Choose a file to share").setInputFiles(pdfFile("engagement-summary.pdf", "Engagement summary 2026"));
  await page.getByRole("button", { name: "Share document" }).click();
  await page.getByText("Upload complete").waitFor({ timeout: 60_000 });
  await page.getByRole("link", { name: "Engagement summary" }).click();
  await page.getByRole("heading", { name: "Engagement summary" }).waitFor();

  // Offered once the malware check says clean (the page asks again every 2 s meanwhile).
  const preview = page.getByRole("button", { name: "Preview version 1, engagement-summary.pdf" });
  await preview.waitFor({ timeout: 60_000 });
  const before = navigations.length;
  await preview.click();
  const dialog = page.getByRole("dialog", { name: "Preview: engagement-summary.pdf" });
  await dialog.waitFor();
  const canvas = dialog.locator("canvas.pdf-page");
  await canvas.first().waitFor({ timeout: 30_000 });
  await page.getByRole("img", { name: /^Page 1 of 1/ }).waitFor();
  // The page was really drawn: the blue square is there.
  await until(
    () =>
      canvas.first().evaluate((element) => {
        const context = element.getContext("2d");
        const { data } = context.getImageData(0, 0, element.width, element.height);
        let blue = 0;
        for (let index = 0; index < data.length; index += 4) if (data[index + 2] > 150 && data[index] < 60) blue += 1;
        return blue > 1000;
      }),
    "the PDF drawn on the canvas",
    15_000,
  );
  // Focus stays inside the dialog.
  for (let step = 0; step < 4; step += 1) {
    await page.keyboard.press("Tab");
    assert.ok(await dialog.evaluate((element) => element.contains(document.activeElement)), "focus left the preview");
  }
  await shoot(page, "files-preview-pdf");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Preview version 1, engagement-summary.pdf");
  // Never a navigation to the file's URL.
  assert.deepEqual(navigations.slice(before), []);
  assert.deepEqual(complaints, []);
  assert.equal(new URL(page.url()).origin, env.base);
  await staff.context.close();
});

test("the EICAR test file a client sends is quarantined: staff see it so, with no download or preview", async () => {
  // Two halves, so this source file is not itself the test file.
  const eicar = Buffer.from(["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"].join(""), "latin1");
  assert.equal(eicar.length, 68);
  const contact = await newPage(env.browser);
  await signInAsContact(contact.page, env.base, DEMO_CONTACT);
  await contact.page.goto(`${env.base}/documents`);
  await contact.page.getByRole("heading", { name: "Documents" }).waitFor();
  await contact.page.getByLabel("Document name").fill("Scanned receipts");
  await contact.page.getByLabel("Choose a file to upload").setInputFiles({ name: "receipts.txt", mimeType: "text/plain", buffer: eicar });
  await contact.page.getByRole("button", { name: "Upload document" }).click();
  await contact.page.getByText("Upload complete").waitFor({ timeout: 60_000 });
  await contact.page.getByRole("link", { name: "Scanned receipts" }).click();
  await contact.page.getByText("Quarantined — please send another file").waitFor({ timeout: 60_000 });

  const staff = await newPage(env.browser);
  await signInAsStaff(staff.page, env.base);
  await openNorthwindDocuments(staff.page);
  await staff.page.getByRole("link", { name: "Scanned receipts" }).click();
  await staff.page.getByRole("heading", { name: "Scanned receipts" }).waitFor();
  const row = staff.page.getByRole("row").filter({ hasText: "receipts.txt" });
  await row.getByText(/Quarantined/).waitFor({ timeout: 60_000 });
  assert.equal(await row.getByRole("button", { name: /Download|Preview/ }).count(), 0, "a quarantined file is offered");
  // Asked directly, the API refuses it too.
  const answer = await staff.page.evaluate(async () => {
    const [, , , client, , document] = location.pathname.split("/");
    const response = await fetch(`/api/clients/${client}/documents/${document}/versions/1/download`);
    return response.status;
  });
  assert.equal(answer, 409);
  await shoot(staff.page, "files-quarantined-staff");
  await Promise.all([contact.context.close(), staff.context.close()]);
});

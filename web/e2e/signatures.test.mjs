// End to end in Debian's chromium against the local portal: a signature request with two
// signers in order. The firm opens Northwind Traders, picks the demo PDF ("Engagement letter
// 2027.pdf"), names Dana Whitfield then Bea Ledger, places one signature field for each by
// clicking on the page pdf.js drew (and drags one), and sends it. Dana signs in her own browser
// (a drawn signature, the code from the dev mailbox), then Bea (a typed signature); the signed
// PDF is a new version of the document and downloads as a PDF larger than the original.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEMO_BILLING, DEMO_CONTACT, artifacts, demoPassword, mailTo, newPage, signInAsContact, signInAsStaff, startPortal } from "./support.mjs";

let env;

before(async () => {
  env = await startPortal();
});

after(async () => {
  await env?.stop();
});

const TITLE = "Engagement letter 2027";
const FILE = "Engagement letter 2027.pdf";

/** Waits until `check()` is true (polled), or fails with `what`. */
async function until(check, what, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Like support.mjs's `shoot` (test-artifacts/<name>-{phone,desktop}.png), once the polite
 * announcement has gone, with `showing` (a field inside the pages' scrolling box) in view.
 */
async function shoot(page, name, showing) {
  await until(() => page.locator(".live").evaluate((element) => element.textContent === ""), "the announcement gone", 10_000);
  // A focused input is scrolled into view when the capture resizes the page, which would scroll the pages' box back.
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  for (const [label, width] of [["phone", 390], ["desktop", 1280]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    if (showing) {
      // The pages scroll inside their own box (at most 80vh tall): bring the field to its
      // middle. A full-page capture makes the viewport as tall as the page, which would let the
      // box grow and lose its scroll, so its height is held for the capture.
      await showing.evaluate((element) => {
        const box = element.closest(".sig-pages");
        box.style.maxHeight = "";
        box.style.maxHeight = `${box.clientHeight}px`;
        box.scrollTop += element.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 2;
      });
      await page.waitForTimeout(100);
    }
    await page.screenshot({ path: path.join(artifacts, `${name}-${label}.png`), fullPage: true });
  }
  if (showing) await showing.evaluate((element) => (element.closest(".sig-pages").style.maxHeight = ""));
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Console lines that would mean the CSP refused pdf.js, its worker or the fields' styles. */
function watchComplaints(page, complaints) {
  page.on("console", (message) => /Content.Security.Policy|Refused to|fake worker|eval/i.test(message.text()) && complaints.push(message.text()));
}

/** Whether a canvas has something drawn on it (pdf.js has rendered the page's text). */
function drawn(canvas) {
  return canvas.evaluate((element) => {
    if (!element.width || !element.height) return false;
    const { data } = element.getContext("2d").getImageData(0, 0, element.width, element.height);
    let dark = 0;
    for (let index = 0; index < data.length; index += 4) if (data[index + 3] > 0 && data[index] < 100) dark += 1;
    return dark > 200;
  });
}

/** The step-up code in the newest "Your signing code" mail to `email`, after `seen` such mails. */
async function signingCode(email, seen) {
  let code;
  await until(async () => {
    const mails = (await mailTo(env.base, email)).filter((mail) => /^Your signing code: \d{6}$/.test(mail.subject));
    if (mails.length <= seen) return false;
    code = /(\d{6})$/.exec(mails.at(-1).subject)[1];
    return true;
  }, `a signing code mailed to ${email}`);
  return code;
}

/** The "Review and sign" link mailed to `email` for the request. */
async function signingLink(email) {
  let href;
  await until(async () => {
    const mail = (await mailTo(env.base, email)).find((message) => message.subject === `Please sign: ${TITLE}`);
    href = mail?.body.match(/href="([^"]+\/signatures\/[A-Za-z0-9]+)"/)?.[1];
    return Boolean(href);
  }, `the request mailed to ${email}`);
  return href;
}

/** Signs the request on the signing page: name, signature (drawn or typed), consent, code. */
async function sign(page, person, how) {
  await page.getByRole("heading", { name: TITLE, level: 1 }).waitFor();
  const pages = page.getByRole("list", { name: `Pages of ${FILE}` });
  await pages.waitFor({ timeout: 30_000 });
  await until(() => drawn(pages.getByRole("img", { name: `Page 2 of 2 of ${FILE}` })), "page 2 drawn", 30_000);
  // Their own field is highlighted; the other signer's is dimmed.
  assert.equal(await page.locator('.sig-field[data-mine="true"]').count(), 1);
  assert.equal(await page.locator('.sig-field[data-mine="false"]').count(), 1);

  await page.getByLabel("Your full name").fill(person.name);
  const pad = page.getByRole("group", { name: "Your signature" });
  if (how === "draw") {
    const canvas = pad.locator("canvas");
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    // A signature-like scribble: down, a few strokes, up.
    await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.6);
    await page.mouse.down();
    for (const [x, y] of [[0.25, 0.3], [0.35, 0.7], [0.45, 0.35], [0.55, 0.65], [0.7, 0.4], [0.85, 0.55]]) await page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 6 });
    await page.mouse.up();
    await until(async () => (await canvas.getAttribute("data-inked")) === "true", "the drawn signature taken");
  } else {
    await pad.getByRole("radio", { name: "Type" }).check();
    await until(async () => (await pad.locator("canvas").getAttribute("data-inked")) === "true", "the typed signature written");
  }
  // The signature shows in the signer's field on the page.
  await page.locator('.sig-field[data-mine="true"] img').waitFor();

  // Signing without the code is refused on the page, under the code's input.
  await page.getByLabel("I agree to sign documents electronically", { exact: false }).check();
  await page.getByRole("button", { name: "Sign", exact: true }).click();
  await page.locator("main").getByText(/Type the 6-digit code we emailed you/).waitFor();

  const before = (await mailTo(env.base, person.email)).filter((mail) => /^Your signing code/.test(mail.subject)).length;
  await page.getByRole("button", { name: "Email me a code" }).click();
  await page.getByRole("form", { name: "Sign the document" }).getByText(`We emailed a code to ${person.email}.`).waitFor();
  await page.getByLabel("Code from the email").fill(await signingCode(person.email, before));
}

test("the firm places two signature fields on a PDF; Dana then Bea sign with a code from their mailbox; the signed PDF downloads", async () => {
  const complaints = [];
  const staff = await newPage(env.browser);
  watchComplaints(staff.page, complaints);
  await signInAsStaff(staff.page, env.base);
  await staff.page.getByRole("link", { name: "Northwind Traders" }).click();
  await staff.page.getByRole("heading", { name: "Northwind Traders" }).waitFor();
  await staff.page.getByRole("navigation", { name: /workspace/ }).getByRole("link", { name: "Signatures" }).click();
  await staff.page.getByRole("heading", { name: "Northwind Traders: signatures" }).waitFor();
  const clientId = new URL(staff.page.url()).pathname.split("/")[3];

  // Bea is Northwind's billing contact: offered, but marked as unable to sign until she is a
  // member too. The firm makes her one (through the contacts API, as People would).
  await staff.page.getByRole("link", { name: "New signature request" }).click();
  await staff.page.getByRole("heading", { name: "New signature request" }).waitFor();
  const signer1 = staff.page.getByLabel("Signer 1", { exact: true });
  await until(async () => (await signer1.locator("option").allTextContents()).some((text) => /Bea Ledger.*billing only, cannot sign/.test(text)), "Bea offered as billing-only");
  const promoted = await staff.page.evaluate(async ([client, email]) => {
    const { contacts } = await (await fetch(`/api/clients/${client}/contacts`)).json();
    const bea = contacts.find((contact) => contact.email === email);
    const response = await fetch(`/api/clients/${client}/contacts/${bea.sub}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ version: bea.version, roles: ["billing", "member"] }) });
    return response.status;
  }, [clientId, DEMO_BILLING.email]);
  assert.equal(promoted, 200);
  await staff.page.reload();
  await staff.page.getByRole("heading", { name: "New signature request" }).waitFor();

  // The original's size, to compare with the signed PDF's.
  const original = await staff.page.evaluate(async ([client, file]) => {
    const { documents } = await (await fetch(`/api/clients/${client}/documents?limit=100`)).json();
    for (const document of documents) {
      const detail = await (await fetch(`/api/clients/${client}/documents/${document.id}`)).json();
      const version = detail.versions.find((candidate) => candidate.file_name === file);
      if (version) return { document: document.id, name: document.name, size: version.size, number: version.number };
    }
    return null;
  }, [clientId, FILE]);
  assert.ok(original, `the demo data has ${FILE}`);

  // 1. The document.
  await staff.page.getByLabel("Title").fill(TITLE);
  await staff.page.getByLabel("Document", { exact: true }).selectOption(original.document);
  await staff.page.getByLabel("Version", { exact: true }).waitFor({ timeout: 60_000 });
  assert.equal(await staff.page.getByLabel("Version", { exact: true }).inputValue(), String(original.number));
  await staff.page.getByLabel("Message to the signers").fill("Please sign the engagement letter for 2027.");

  // 2. Who signs: Dana first, then Bea (the steps follow the list).
  const option = async (select, name) => (await select.locator("option").evaluateAll((options, wanted) => options.find((each) => each.textContent.startsWith(wanted))?.value, name));
  await signer1.selectOption(await option(signer1, DEMO_CONTACT.name));
  await staff.page.getByRole("button", { name: "Add a signer" }).click();
  const signer2 = staff.page.getByLabel("Signer 2", { exact: true });
  await signer2.selectOption(await option(signer2, DEMO_BILLING.name));
  assert.equal(await staff.page.locator('input[name="signers[1].group"]').inputValue(), "2");

  // 3. Where they sign: the pages drawn by pdf.js; a click drops a signature field.
  const pages = staff.page.getByRole("list", { name: `Pages of ${FILE}` });
  await pages.waitFor({ timeout: 30_000 });
  const page2 = pages.getByRole("img", { name: `Page 2 of 2 of ${FILE}` });
  await until(() => drawn(page2), "page 2 drawn", 30_000);
  const layer = staff.page.locator('.sig-layer[data-page="2"]');
  await layer.scrollIntoViewIfNeeded();
  let box = await layer.boundingBox();
  await layer.click({ position: { x: box.width * 0.3, y: box.height * 0.7 } });
  await staff.page.getByLabel("Fields for").selectOption({ label: `Signer 2: ${DEMO_BILLING.name}` });
  await layer.click({ position: { x: box.width * 0.7, y: box.height * 0.85 } });
  await staff.page.getByRole("heading", { name: "Placed fields (2)" }).waitFor();
  const fields = staff.page.locator(".sig-field.movable");
  assert.equal(await fields.count(), 2);

  // Drag Bea's field up a little; the list follows.
  const bea = staff.page.getByRole("group", { name: new RegExp(`^Signature for ${DEMO_BILLING.name}`) });
  const start = await bea.boundingBox();
  await staff.page.mouse.move(start.x + 20, start.y + start.height / 2);
  await staff.page.mouse.down();
  await staff.page.mouse.move(start.x + 20, start.y + start.height / 2 - box.height * 0.05, { steps: 8 });
  await staff.page.mouse.up();
  const moved = await bea.boundingBox();
  assert.ok(moved.y < start.y - box.height * 0.03, `the field moved up (from ${start.y} to ${moved.y})`);
  // The keyboard moves it too.
  await bea.focus();
  await staff.page.keyboard.press("ArrowRight");
  box = await layer.boundingBox();
  assert.ok((await bea.boundingBox()).x > moved.x, "the arrow key moved the field");
  await shoot(staff.page, "signatures-place-fields", bea);

  await staff.page.getByRole("button", { name: "Send for signature" }).click();
  await staff.page.getByRole("heading", { name: TITLE, level: 1 }).waitFor();
  const requestPath = new URL(staff.page.url()).pathname;
  assert.match(requestPath, new RegExp(`^/staff/clients/${clientId}/signatures/[A-Za-z0-9]+$`));
  const signersCard = staff.page.getByRole("region", { name: "Signers" });
  await signersCard.getByText("Their turn").waitFor();
  await signersCard.getByText("Waiting for earlier signers").waitFor();

  // Dana: her home page lists it; the mail's link opens the signing page.
  const dana = await newPage(env.browser);
  watchComplaints(dana.page, complaints);
  await signInAsContact(dana.page, env.base, DEMO_CONTACT);
  await dana.page.getByRole("region", { name: "Waiting for your signature" }).getByRole("link", { name: TITLE }).waitFor();
  // Bea's mail has not gone yet: it is not her turn.
  assert.equal((await mailTo(env.base, DEMO_BILLING.email)).filter((mail) => mail.subject === `Please sign: ${TITLE}`).length, 0);
  const danaLink = await signingLink(DEMO_CONTACT.email);
  assert.match(danaLink, /\/signatures\/[A-Za-z0-9]+$/);
  await dana.page.goto(danaLink);
  await sign(dana.page, DEMO_CONTACT, "draw");
  await shoot(dana.page, "signatures-sign", dana.page.locator('.sig-field[data-mine="true"]'));
  await dana.page.getByRole("button", { name: "Sign", exact: true }).click();
  await dana.page.locator("main").getByText(/Thank you: you signed/).waitFor({ timeout: 30_000 });
  await dana.page.locator("main").getByText(/The next signers are asked now/).waitFor();

  // Bea, in her own browser, from her mail.
  const beaPage = await newPage(env.browser);
  watchComplaints(beaPage.page, complaints);
  await signInAsContact(beaPage.page, env.base, { ...DEMO_BILLING, password: demoPassword(env, DEMO_BILLING.email, DEMO_BILLING.password) });
  await beaPage.page.goto(await signingLink(DEMO_BILLING.email));
  await sign(beaPage.page, DEMO_BILLING, "type");
  await beaPage.page.getByRole("button", { name: "Sign", exact: true }).click();
  await beaPage.page.locator("main").getByText(/Everyone has signed, and the signed PDF is ready/).waitFor({ timeout: 60_000 });

  // The signed PDF: a new version of the same document, larger than the original.
  const [download] = await Promise.all([
    beaPage.page.waitForEvent("download"),
    beaPage.page.getByRole("button", { name: new RegExp(`^Download the signed PDF, version ${original.number + 1} of`) }).first().click(),
  ]);
  const bytes = readFileSync(await download.path());
  await download.saveAs(path.join(artifacts, "signatures-signed.pdf"));
  assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.ok(bytes.length > original.size, `the signed PDF (${bytes.length} bytes) is larger than the original (${original.size})`);

  // The firm sees it completed, with every signature and the steps.
  await staff.page.reload();
  await staff.page.getByRole("heading", { name: TITLE, level: 1 }).waitFor();
  await staff.page.getByText("Completed", { exact: true }).first().waitFor();
  assert.equal(await staff.page.getByRole("region", { name: "Signers" }).getByText("Signed", { exact: true }).count(), 2);
  await staff.page.getByRole("region", { name: "Signed PDF" }).waitFor();
  await staff.page.getByRole("region", { name: "Steps" }).getByText(/confirmed the emailed code and signed/).first().waitFor();
  const [staffDownload] = await Promise.all([staff.page.waitForEvent("download"), staff.page.getByRole("button", { name: /^Download the signed PDF/ }).click()]);
  assert.equal(readFileSync(await staffDownload.path()).subarray(0, 5).toString("latin1"), "%PDF-");
  await shoot(staff.page, "signatures-completed");

  // The document now has the signed version.
  const versions = await staff.page.evaluate(async ([client, document]) => (await (await fetch(`/api/clients/${client}/documents/${document}`)).json()).versions.map((version) => version.number), [clientId, original.document]);
  assert.ok(versions.includes(original.number + 1));

  assert.deepEqual(complaints, []);
  await Promise.all([staff.context.close(), dana.context.close(), beaPage.context.close()]);
});

/** A request made through the API (the firm's session in `page`): one signature field per signer. */
async function createRequest(page, clientId, document, title, signers) {
  return page.evaluate(
    async ([client, body]) => {
      const response = await fetch(`/api/clients/${client}/signature-requests`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const answer = await response.json();
      if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(answer)}`);
      return answer.signature_request.id;
    },
    [clientId, { title, document_id: document.document, version: document.number, signers, fields: signers.map((_, index) => ({ signer: index, kind: "signature", page: 2, x: 0.1 + index * 0.4, y: 0.8, width: 0.3, height: 0.07 })) }],
  );
}

test("the firm countersigns first; Dana declines with a reason; a signer is replaced, reminding too soon is refused, and a request is cancelled", async () => {
  const complaints = [];
  const staff = await newPage(env.browser);
  watchComplaints(staff.page, complaints);
  await signInAsStaff(staff.page, env.base);
  await staff.page.getByRole("link", { name: "Northwind Traders" }).click();
  await staff.page.getByRole("heading", { name: "Northwind Traders" }).waitFor();
  const clientId = new URL(staff.page.url()).pathname.split("/")[3];
  const { me, contacts, document } = await staff.page.evaluate(async ([client, file]) => {
    const me = await (await fetch("/api/me")).json();
    const { contacts } = await (await fetch(`/api/clients/${client}/contacts`)).json();
    const { documents } = await (await fetch(`/api/clients/${client}/documents?limit=100`)).json();
    for (const candidate of documents) {
      const detail = await (await fetch(`/api/clients/${client}/documents/${candidate.id}`)).json();
      const version = detail.versions.find((each) => each.file_name === file && each.scan === "clean");
      if (version) return { me, contacts, document: { document: candidate.id, number: version.number } };
    }
    return { me, contacts, document: null };
  }, [clientId, FILE]);
  assert.ok(document, `the demo data has ${FILE}`);
  const sub = (email) => contacts.find((contact) => contact.email === email).sub;

  // The firm's admin countersigns first, on the firm's side.
  const first = await createRequest(staff.page, clientId, document, "Countersigned letter", [{ staff: me.sub }, { contact: sub(DEMO_CONTACT.email) }]);
  await staff.page.goto(`${env.base}/staff/clients/${clientId}/signatures/${first}`);
  await staff.page.getByRole("heading", { name: "Countersigned letter", level: 1 }).waitFor();
  await staff.page.getByRole("region", { name: "Signers" }).getByText("Your turn").waitFor();
  await staff.page.getByLabel("Your full name").fill(me.name);
  const pad = staff.page.getByRole("group", { name: "Your signature" });
  await pad.getByRole("radio", { name: "Type" }).check();
  await until(async () => (await pad.locator("canvas").getAttribute("data-inked")) === "true", "the typed signature written");
  await staff.page.getByLabel("I agree to sign documents electronically", { exact: false }).check();
  const before = (await mailTo(env.base, me.email)).filter((mail) => /^Your signing code/.test(mail.subject)).length;
  await staff.page.getByRole("button", { name: "Email me a code" }).click();
  await staff.page.getByLabel("Code from the email").fill(await signingCode(me.email, before));
  await staff.page.getByRole("button", { name: "Sign", exact: true }).click();
  await staff.page.locator("main").getByText(/You signed\. The next signers are asked now/).waitFor({ timeout: 30_000 });
  await staff.page.getByRole("region", { name: "Signers" }).getByText("Their turn").waitFor();

  // Dana declines, with a reason the firm then reads.
  const dana = await newPage(env.browser);
  watchComplaints(dana.page, complaints);
  await signInAsContact(dana.page, env.base, DEMO_CONTACT);
  await dana.page.goto(`${env.base}/signatures/${first}`);
  await dana.page.getByRole("heading", { name: "Countersigned letter", level: 1 }).waitFor();
  await dana.page.getByRole("button", { name: "Decline…" }).click();
  await dana.page.getByRole("button", { name: "Decline", exact: true }).click();
  await dana.page.getByText("Say why you decline, so the firm can act on it.").waitFor();
  await dana.page.getByLabel("Why do you decline?").fill("Clause 4 names the wrong year.");
  await dana.page.getByRole("button", { name: "Decline", exact: true }).click();
  await dana.page.locator("main").getByText(/declined on .*: Clause 4 names the wrong year\./).waitFor();
  await staff.page.reload();
  await staff.page.locator("main").getByText(/dana@northwind\.example declined on .*: Clause 4 names the wrong year\./).waitFor();
  assert.equal(await staff.page.getByRole("button", { name: "Remind" }).count(), 0);

  // Another request: reminding at once is refused (the signers were just asked), Dana is
  // replaced by Sam Rivera, and the request is cancelled with a reason.
  const second = await createRequest(staff.page, clientId, document, "Letter to replace", [{ contact: sub(DEMO_CONTACT.email) }]);
  await staff.page.goto(`${env.base}/staff/clients/${clientId}/signatures/${second}`);
  await staff.page.getByRole("heading", { name: "Letter to replace", level: 1 }).waitFor();
  await staff.page.getByRole("button", { name: "Remind" }).click();
  await staff.page.getByText(/asked less than an hour ago/).waitFor();
  await staff.page.getByRole("button", { name: `Replace ${DEMO_CONTACT.name}` }).click();
  const instead = staff.page.getByLabel(`Instead of ${DEMO_CONTACT.name}`);
  const samOption = instead.locator("option", { hasText: /^Sam Rivera / });
  await samOption.waitFor({ state: "attached" });
  const sam = await samOption.getAttribute("value");
  await instead.selectOption(sam);
  await staff.page.getByRole("button", { name: "Replace", exact: true }).click();
  const signers = staff.page.getByRole("region", { name: "Signers" });
  await signers.getByText("Sam Rivera").waitFor();
  assert.equal(await signers.getByText(DEMO_CONTACT.name).count(), 0);
  await staff.page.getByRole("region", { name: "Steps" }).getByText(/replaced dana@northwind\.example with sam@rivera-books\.example/).waitFor();
  await staff.page.getByRole("button", { name: "Cancel the request…" }).click();
  await staff.page.getByLabel("Why is it cancelled?").fill("Sent by mistake.");
  await staff.page.getByRole("button", { name: "Cancel the request", exact: true }).click();
  await staff.page.locator("main").getByText(/cancelled on .*: Sent by mistake\./).waitFor();
  await staff.page.getByRole("heading", { name: "Letter to replace", level: 1 }).waitFor();
  await staff.page.locator(".page-head").getByText("Cancelled").waitFor();

  // The list shows both, with how many signed.
  await staff.page.goto(`${env.base}/staff/clients/${clientId}/signatures`);
  const rows = staff.page.getByRole("row");
  await rows.filter({ hasText: "Countersigned letter" }).getByText("1 of 2").waitFor();
  await rows.filter({ hasText: "Letter to replace" }).getByText("Cancelled").waitFor();

  assert.deepEqual(complaints, []);
  await Promise.all([staff.context.close(), dana.context.close()]);
});

// End to end in Debian's chromium against the local portal (atrium-local on moto, the demo
// firm seeded): the flows of issue 6, one portal for the whole file, run in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { DEMO_CONTACT, invitationLink, newPage, onboard, onboardAndAccept, shoot, signInAsContact, signInAsStaff, startPortal } from "./support.mjs";

let env;

before(async () => {
  env = await startPortal();
});

after(async () => {
  await env?.stop();
});

const CONTOSO = { name: "Contoso Legal", slug: "contoso", contactName: "Cleo Contoso", email: "cleo@contoso.example", password: "Contoso-Cleo-2026!" };
// Not Fabrikam: the demo data has a Fabrikam Studio of its own (a second client of Sam Rivera's).
const TAILSPIN = { name: "Tailspin Toys", slug: "tailspin", contactName: "Finn Tailspin", email: "finn@tailspin.example", password: "Tailspin-Finn-2026!" };

test("staff onboard a client; the contact accepts the emailed invitation and lands on the dashboard", async () => {
  const staff = await newPage(env.browser);
  await staff.page.goto(`${env.base}/staff`);
  await shoot(staff.page, "staff-sign-in");
  await signInAsStaff(staff.page, env.base);
  await onboard(staff.page, CONTOSO);
  await shoot(staff.page, "staff-clients");

  const contact = await newPage(env.browser);
  await contact.page.goto(env.base);
  await shoot(contact.page, "sign-in");
  await contact.page.goto(await invitationLink(env.base, CONTOSO.email));
  await contact.page.getByLabel("New password").fill("weak");
  await contact.page.getByRole("button", { name: "Set password and sign in" }).click();
  // The server's message, next to the field it is about.
  const fieldError = contact.page.locator(".field-error");
  await fieldError.filter({ hasText: /./ }).waitFor();
  await contact.page.getByLabel("New password").and(contact.page.locator('[aria-invalid="true"]')).waitFor();
  await shoot(contact.page, "accept-invitation");
  await contact.page.getByLabel("New password").fill(CONTOSO.password);
  await contact.page.getByRole("button", { name: "Set password and sign in" }).click();
  // An authenticator is offered, not forced.
  await contact.page.getByRole("heading", { name: "Protect your account" }).waitFor();
  await contact.page.getByRole("button", { name: "Set up an authenticator app" }).waitFor();
  await shoot(contact.page, "accept-offer-authenticator");
  await contact.page.getByRole("button", { name: "Skip for now" }).click();
  await contact.page.getByRole("heading", { name: "Welcome, Cleo" }).waitFor();
  assert.equal(new URL(contact.page.url()).pathname, "/");
  await contact.page.getByText("Contoso Legal").first().waitFor();

  // The session lives in HttpOnly cookies that scripts cannot read.
  const cookies = await contact.context.cookies();
  const session = cookies.find((cookie) => cookie.name === "__Host-atrium_at");
  assert.ok(session?.httpOnly && session.secure && session.sameSite === "Strict");
  assert.equal(await contact.page.evaluate(() => document.cookie), "");

  // The link works once.
  const again = await newPage(env.browser);
  await again.page.goto(await invitationLink(env.base, CONTOSO.email));
  await again.page.getByLabel("New password").fill(CONTOSO.password);
  await again.page.getByRole("button", { name: "Set password and sign in" }).click();
  await again.page.getByRole("alert").filter({ hasText: "no longer valid" }).waitFor();
  await Promise.all([staff.context.close(), contact.context.close(), again.context.close()]);
});

test("a second client's contact, signed in at the same time, sees none of the first client's data", async () => {
  const first = await newPage(env.browser);
  await signInAsContact(first.page, env.base, DEMO_CONTACT);
  await first.page.getByText("Bank statements, January to December").waitFor();

  const staff = await newPage(env.browser);
  await signInAsStaff(staff.page, env.base);
  const second = await onboardAndAccept(env, staff.page, TAILSPIN);
  await second.page.getByRole("heading", { name: "Welcome, Finn" }).waitFor();

  const secrets = ["Northwind", "Dana", "dana@northwind.example", "Bank statements", "Year-end accounts", "HP-2026-001"];
  for (const screen of ["/", "/projects", "/requests", "/documents", "/approvals", "/messages", "/invoices", "/tickets", "/contacts", "/activity"]) {
    await second.page.goto(`${env.base}${screen}`);
    await second.page.locator("h1").first().waitFor();
    await second.page.waitForLoadState("networkidle");
    const seen = await second.page.content();
    for (const secret of secrets) assert.ok(!seen.includes(secret), `the second client's ${screen} shows ${secret}`);
  }
  const workspace = await second.page.evaluate(async () => (await fetch("/api/workspace")).text());
  assert.ok(workspace.includes("Tailspin") && !workspace.includes("Northwind"));
  // Asking for the first client's records by id answers 404 and nothing else.
  const northwindRequests = await first.page.evaluate(async () => (await (await fetch("/api/requests")).json()).requests.map((request) => request.id));
  assert.ok(northwindRequests.length > 0);
  for (const id of northwindRequests) {
    const answer = await second.page.evaluate(async (request) => {
      const response = await fetch(`/api/threads/request:${request}/messages`);
      return { status: response.status, body: await response.text() };
    }, id);
    assert.equal(answer.status, 404);
    assert.ok(!answer.body.includes("Bank statements"));
  }
  // The first contact is still signed in to their own workspace.
  await first.page.reload();
  await first.page.getByRole("heading", { name: "Welcome, Dana" }).waitFor();
  await Promise.all([first.context.close(), second.context.close(), staff.context.close()]);
});

/** A PDF-looking file of `size` bytes (the API checks type and size, S3 the SHA-256). */
function pdf(name, size, fill) {
  const header = Buffer.from("%PDF-1.7\n");
  const body = Buffer.alloc(size - header.length, fill);
  return { name, mimeType: "application/pdf", buffer: Buffer.concat([header, body]) };
}

/** Slows this page's network so an upload takes seconds and its progress can be seen. */
async function throttle(page, bytesPerSecond) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return cdp;
}

async function openNorthwind(staffPage) {
  await staffPage.getByRole("link", { name: "Northwind Traders" }).click();
  await staffPage.getByRole("heading", { name: "Northwind Traders" }).waitFor();
}

test("the contact uploads a requested document with progress; staff reject it with a reason; v2; staff accept", async () => {
  const staff = await newPage(env.browser);
  await signInAsStaff(staff.page, env.base);
  await openNorthwind(staff.page);
  await staff.page.getByRole("navigation", { name: /workspace/ }).getByRole("link", { name: "Requests" }).click();
  await staff.page.getByLabel("Title", { exact: true }).fill("Passport copy");
  await staff.page.getByLabel("Instructions").first().fill("A colour scan of the photo page.");
  const due = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await staff.page.getByLabel("Due date").fill(due);
  await staff.page.getByRole("button", { name: "Send request" }).click();
  await staff.page.getByRole("link", { name: "Passport copy" }).waitFor();

  const contact = await newPage(env.browser);
  await signInAsContact(contact.page, env.base, DEMO_CONTACT);
  await contact.page.getByRole("link", { name: "Passport copy" }).first().click();
  await contact.page.getByRole("heading", { name: "Passport copy" }).waitFor();
  await shoot(contact.page, "client-request");
  const cdp = await throttle(contact.page, 256 * 1024);
  await contact.page.getByLabel("Choose a file").setInputFiles(pdf("passport.pdf", 1024 * 1024, 0x41));
  await contact.page.getByRole("button", { name: "Upload", exact: true }).click();
  // A real progress bar: somewhere strictly between nothing and everything while it uploads.
  const progress = contact.page.locator("progress");
  await contact.page.waitForFunction(() => {
    const bar = document.querySelector("progress");
    return bar !== null && bar.value > 0 && bar.value < 100;
  });
  await shoot(contact.page, "client-upload-progress");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await contact.page.getByText("Your document was submitted").waitFor();
  assert.equal(await progress.count(), 0);

  // Staff review it: a reason is required to reject.
  await staff.page.getByRole("link", { name: "Passport copy" }).click();
  await staff.page.getByRole("heading", { name: "Passport copy" }).waitFor();
  await staff.page.getByRole("button", { name: "Reject" }).click();
  // The server's refusal lands next to the field.
  await staff.page.getByLabel("Reason for rejecting").and(staff.page.locator('[aria-invalid="true"]')).waitFor();
  await staff.page.getByLabel("Reason for rejecting").fill("The scan is cut off at the bottom; please scan the whole page.");
  await staff.page.getByRole("button", { name: "Reject" }).click();
  await staff.page.getByText("Rejected, waiting for a new upload").first().waitFor();
  await shoot(staff.page, "staff-request-review");

  // The contact sees why, and uploads version 2.
  await contact.page.reload();
  await contact.page.getByRole("heading", { name: "The firm asked you to upload this again" }).waitFor();
  await contact.page.getByText("The scan is cut off at the bottom").waitFor();
  // A question on the request's own thread reaches the firm's view of the same request.
  await contact.page.getByLabel("Your message").fill("Is a photo taken with a phone fine?");
  await contact.page.getByRole("button", { name: "Send message" }).click();
  await contact.page.getByRole("list", { name: "Questions about this request" }).getByText("Is a photo taken with a phone fine?").waitFor();
  await contact.page.getByLabel("Choose a file").setInputFiles(pdf("passport-full.pdf", 200 * 1024, 0x42));
  await contact.page.getByRole("button", { name: "Upload new version" }).click();
  await contact.page.getByText("Your document was submitted").waitFor();

  await staff.page.reload();
  await staff.page.getByText("Is a photo taken with a phone fine?").waitFor();
  await staff.page.getByRole("button", { name: "Accept" }).click();
  await staff.page.getByRole("button", { name: "Accept" }).waitFor({ state: "detached" });
  await staff.page.getByText("Accepted").first().waitFor();
  // Both versions are kept; the contact sees the request accepted.
  await contact.page.reload();
  await contact.page.getByText("Accepted").first().waitFor();
  await contact.page.getByRole("link", { name: "Documents" }).first().click();
  await contact.page.getByRole("heading", { name: "Documents" }).waitFor();
  await shoot(contact.page, "client-documents");
  await Promise.all([staff.context.close(), contact.context.close()]);
});

test("the contact approves with a typed signature after the terms and consent, then downloads the certificate", async () => {
  const contact = await newPage(env.browser);
  await signInAsContact(contact.page, env.base, DEMO_CONTACT);
  await contact.page.getByRole("link", { name: "Scope of this year's engagement" }).first().click();
  await contact.page.getByRole("heading", { name: "Scope of this year's engagement" }).waitFor();
  // The terms come first.
  await contact.page.getByRole("region", { name: "Terms", exact: true }).getByText("standard terms of business").waitFor();
  // Signing needs the consent and a typed name; each refusal sits next to its field.
  await contact.page.getByRole("button", { name: "Sign and approve" }).click();
  await contact.page.getByText("Tick the box to agree to sign electronically.").waitFor();
  await contact.page.getByText("Type your full name to sign.").first().waitFor();
  await shoot(contact.page, "client-approval");
  await contact.page.getByLabel(/I agree to sign documents electronically/).check();
  await contact.page.getByLabel("Type your full name to sign").fill("Dana Whitfield");
  await contact.page.getByRole("button", { name: "Sign and approve" }).click();
  await contact.page.getByRole("heading", { name: "Signing certificate" }).waitFor();
  await contact.page.getByText("Signed", { exact: true }).first().waitFor();
  await shoot(contact.page, "client-approval-signed");
  const [download] = await Promise.all([contact.page.waitForEvent("download"), contact.page.getByRole("button", { name: "Download certificate" }).click()]);
  const saved = await download.path();
  const { readFileSync } = await import("node:fs");
  const certificate = readFileSync(saved, "utf8");
  assert.ok(certificate.includes("Dana Whitfield"), "the certificate names the signer's typed name");
  assert.match(download.suggestedFilename(), /^signing-certificate-.+\.html$/);

  // The firm sees the signature and the certificate in the client's workspace.
  const staff = await newPage(env.browser);
  await signInAsStaff(staff.page, env.base);
  await openNorthwind(staff.page);
  await staff.page.getByRole("navigation", { name: /workspace/ }).getByRole("link", { name: "Approvals" }).click();
  await staff.page.getByRole("link", { name: "Scope of this year's engagement" }).click();
  await staff.page.getByText("Dana Whitfield").first().waitFor();
  await shoot(staff.page, "staff-approval-signed");
  await Promise.all([contact.context.close(), staff.context.close()]);
});

test("keyboard only: skip link, sign-in with Tab and Enter, visible focus, the session warning reachable", async () => {
  const contact = await newPage(env.browser);
  const page = contact.page;
  await page.goto(env.base);
  await page.getByLabel("Email").waitFor();
  // One sign-in page for everyone: no organisation to type.
  assert.equal(await page.getByLabel("Organisation").count(), 0);
  // The first Tab lands on the skip link, which is visible when focused.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  const focusedOutline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(focusedOutline, "none", "focus is visible");
  // Tab through the form in order and submit with Enter.
  const typeInto = async (label, text) => {
    for (let step = 0; step < 10; step += 1) {
      const current = await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent?.trim() ?? "");
      if (current.startsWith(label)) break;
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type(text);
  };
  await typeInto("Email", DEMO_CONTACT.email);
  await typeInto("Password", DEMO_CONTACT.password);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: /^Welcome, / }).waitFor();
  // The page's heading takes focus on navigation, so a screen reader starts there.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Requests" }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Requests", exact: true }).waitFor();
  // Focus moves in an effect, which Preact runs after the heading is painted: wait for it.
  await page.waitForFunction(() => document.activeElement?.tagName === "H1", null, { timeout: 2000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), "H1");
  // Two minutes before the session ends, a dialog offers to stay signed in; one key press does.
  await page.evaluate(() => sessionStorage.setItem("atrium.session_expires_at", String(Date.now() + 90_000)));
  const dialog = page.getByRole("dialog", { name: "Your session is about to end" });
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Stay signed in");
  await shoot(page, "session-warning");
  await page.keyboard.press("Enter");
  await dialog.waitFor({ state: "hidden" });
  const expiry = await page.evaluate(() => Number(sessionStorage.getItem("atrium.session_expires_at")));
  assert.ok(expiry - Date.now() > 10 * 60_000, "the refresh moved the end of the session");
  await contact.context.close();
});

test("every main screen renders without an error, at phone and desktop widths (screenshots)", async () => {
  const contact = await newPage(env.browser);
  const errors = [];
  contact.page.on("console", (message) => message.type() === "error" && !/status of 40[013]/.test(message.text()) && errors.push(message.text()));
  await signInAsContact(contact.page, env.base, DEMO_CONTACT);
  const clientScreens = [
    ["/", "client-dashboard"],
    ["/projects", "client-projects"],
    ["/requests", "client-requests"],
    ["/documents", "client-documents-list"],
    ["/approvals", "client-approvals"],
    ["/forms", "client-forms"],
    ["/messages", "client-messages"],
    ["/invoices", "client-invoices"],
    ["/tickets", "client-tickets"],
    ["/contacts", "client-people"],
    ["/activity", "client-activity"],
    ["/settings", "client-settings"],
  ];
  for (const [screen, name] of clientScreens) {
    await contact.page.goto(`${env.base}${screen}`);
    await contact.page.locator("h1").first().waitFor();
    await contact.page.waitForLoadState("networkidle");
    assert.equal(await contact.page.locator(".error-box").count(), 0, `${screen} shows an error: ${await contact.page.locator(".error-box").allInnerTexts()}`);
    await shoot(contact.page, name);
  }
  // The demo intake form, opened from the list, with a field error next to its field.
  await contact.page.goto(`${env.base}/forms`);
  await contact.page.getByRole("link", { name: "New client details" }).first().click();
  await contact.page.getByRole("heading", { name: "New client details" }).waitFor();
  await contact.page.getByLabel("Company number").fill("not valid");
  await contact.page.getByRole("button", { name: "Submit" }).click();
  await contact.page.locator(".field-error").first().waitFor();
  await shoot(contact.page, "client-form");
  // A project's page, from the list.
  await contact.page.goto(`${env.base}/projects`);
  await contact.page.getByRole("link", { name: "Year-end accounts 2026" }).first().click();
  await contact.page.getByRole("heading", { name: "Year-end accounts 2026" }).waitFor();
  await shoot(contact.page, "client-project");

  const staff = await newPage(env.browser);
  staff.page.on("console", (message) => message.type() === "error" && !/status of 40[013]/.test(message.text()) && errors.push(message.text()));
  await signInAsStaff(staff.page, env.base);
  await openNorthwind(staff.page);
  const workspace = staff.page.url();
  for (const tab of ["", "/projects", "/requests", "/documents", "/approvals", "/forms", "/messages", "/invoices", "/tickets", "/people", "/activity"]) {
    await staff.page.goto(`${workspace}${tab}`);
    await staff.page.locator("h1").first().waitFor();
    await staff.page.waitForLoadState("networkidle");
    assert.equal(await staff.page.locator(".error-box").count(), 0, `staff ${tab} shows an error`);
    await shoot(staff.page, `staff-client${tab.replace("/", "-") || "-overview"}`);
  }
  for (const [screen, name] of [["/staff/requests", "staff-requests"], ["/staff/tickets", "staff-tickets"], ["/staff/forms", "staff-forms"], ["/staff/invoices", "staff-invoices-list"], ["/staff/team", "staff-team"], ["/staff/branding", "staff-branding"], ["/staff/stripe", "staff-stripe-settings"], ["/staff/settings", "staff-settings"], ["/staff/activity", "staff-activity"]]) {
    await staff.page.goto(`${env.base}${screen}`);
    await staff.page.locator("h1").first().waitFor();
    await staff.page.waitForLoadState("networkidle");
    assert.equal(await staff.page.locator(".error-box").count(), 0, `${screen} shows an error`);
    await shoot(staff.page, name);
  }
  // The firm's own trail (branding, team, settings changes) and its export, for the admin.
  await staff.page.goto(`${env.base}/staff/activity`);
  await staff.page.getByRole("heading", { name: "Firm activity" }).waitFor();
  await staff.page.getByRole("button", { name: "Download the audit export" }).waitFor();
  // View as client: read-only, and recorded in the client's activity.
  await staff.page.goto(`${workspace}/preview`);
  await staff.page.getByText("You are viewing").waitFor();
  await staff.page.getByRole("heading", { name: /home/ }).waitFor();
  await shoot(staff.page, "staff-preview");
  await staff.page.goto(`${workspace}/preview/requests`);
  await staff.page.locator("h1").first().waitFor();
  await staff.page.waitForLoadState("networkidle");
  assert.equal(await staff.page.getByRole("button", { name: /^Upload/ }).count(), 0, "no upload in the preview");
  const trail = await staff.page.evaluate(async (url) => {
    const id = url.split("/staff/clients/")[1].split("/")[0];
    return (await fetch(`/api/clients/${id}/audit?action=staff.preview_started`)).text();
  }, workspace);
  assert.ok(trail.includes("staff.preview_started"), "the preview is in the client's audit trail");
  assert.deepEqual(errors, []);
  await Promise.all([contact.context.close(), staff.context.close()]);
});

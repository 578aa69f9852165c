// End to end in Debian's chromium against the local portal (atrium-local on moto): a staff
// admin onboards a client, the invitation is read from the dev mailbox, the contact sets a
// password through the link and lands on the workspace; a second client's contact, signed in
// at the same time, sees none of the first client's data. Screenshots go to test-artifacts/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = path.join(root, "test-artifacts");
let portal;
let base;
let browser;

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

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  base = `http://localhost:${port}`;
  const binary = process.env.ATRIUM_LOCAL_BIN ?? path.join(root, "target/debug/atrium-local");
  portal = spawn(binary, [], { env: { ...process.env, ATRIUM_PORT: String(port), ATRIUM_ROOT: root }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    let output = "";
    portal.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ctrl-C stops everything")) resolve();
    });
    portal.on("exit", (code) => reject(new Error(`atrium-local exited with ${code}: ${output}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  portal?.kill("SIGINT");
});

async function shoot(page, name) {
  for (const [label, width] of [["phone", 390], ["desktop", 1280]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(artifacts, `${name}-${label}.png`), fullPage: true });
  }
}

async function signInAsStaff(page) {
  await page.goto(`${base}/staff`);
  await page.getByLabel("Email").fill("admin@harbourpike.example");
  await page.getByLabel("Password").fill("Harbour-Admin-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Clients" }).waitFor();
}

async function onboard(page, name, slug, contact, email) {
  await page.getByLabel("Client name").fill(name);
  await page.getByLabel("Slug").fill(slug);
  await page.getByLabel("Primary contact's name").fill(contact);
  await page.getByLabel("Primary contact's email").fill(email);
  await page.getByRole("button", { name: "Onboard and send the invitation" }).click();
  await page.getByRole("cell", { name: slug, exact: true }).waitFor();
}

async function invitationLink(email) {
  const mail = await (await fetch(`${base}/dev/mailbox.json`)).json();
  const invitations = mail.filter((message) => message.to.includes(email));
  assert.equal(invitations.length, 1, `exactly one invitation to ${email}`);
  return invitations[0].body.match(/href="([^"]+\/invite#token=[^"]+)"/)[1];
}

test("staff onboard a client; the contact accepts the emailed invitation and lands on the workspace", async () => {
  const staff = await browser.newContext();
  const page = await staff.newPage();
  await page.goto(base);
  await shoot(page, "sign-in");
  await signInAsStaff(page);
  await onboard(page, "Contoso Legal", "contoso", "Cleo Contoso", "cleo@contoso.example");
  await shoot(page, "staff-clients");

  const contact = await browser.newContext();
  const contactPage = await contact.newPage();
  await contactPage.goto(await invitationLink("cleo@contoso.example"));
  await contactPage.getByLabel("New password").fill("weak");
  await contactPage.getByRole("button", { name: "Set password and sign in" }).click();
  await contactPage.getByRole("alert").filter({ hasText: "password:" }).waitFor();
  await shoot(contactPage, "accept-invitation");
  await contactPage.getByLabel("New password").fill("Contoso-Cleo-2026!");
  await contactPage.getByRole("button", { name: "Set password and sign in" }).click();
  await contactPage.getByRole("heading", { name: "Welcome, Cleo Contoso" }).waitFor();
  await shoot(contactPage, "workspace");

  // The session lives in HttpOnly cookies that scripts cannot read.
  const cookies = await contact.cookies();
  const session = cookies.find((cookie) => cookie.name === "__Host-atrium_at");
  assert.ok(session?.httpOnly && session.secure && session.sameSite === "Strict");
  assert.equal(await contactPage.evaluate(() => document.cookie), "");

  // The link works once.
  const again = await contact.newPage();
  await again.goto(await invitationLink("cleo@contoso.example"));
  await again.getByLabel("New password").fill("Contoso-Cleo-2026!");
  await again.getByRole("button", { name: "Set password and sign in" }).click();
  await again.getByRole("alert").filter({ hasText: "no longer valid" }).waitFor();
  await staff.close();
  await contact.close();
});

test("a second client's contact, signed in at the same time, sees none of the first client's data", async () => {
  const first = await browser.newContext();
  const firstPage = await first.newPage();
  await firstPage.goto(base);
  await firstPage.getByLabel("Organisation").fill("northwind");
  await firstPage.getByLabel("Email").fill("dana@northwind.example");
  await firstPage.getByLabel("Password").fill("Northwind-Dana-2026!");
  await firstPage.getByRole("button", { name: "Sign in" }).click();
  await firstPage.getByRole("heading", { name: "Welcome, Dana Whitfield" }).waitFor();

  const staff = await browser.newContext();
  const staffPage = await staff.newPage();
  await signInAsStaff(staffPage);
  await onboard(staffPage, "Fabrikam", "fabrikam", "Finn Fabrikam", "finn@fabrikam.example");
  const second = await browser.newContext();
  const secondPage = await second.newPage();
  await secondPage.goto(await invitationLink("finn@fabrikam.example"));
  await secondPage.getByLabel("New password").fill("Fabrikam-Finn-2026!");
  await secondPage.getByRole("button", { name: "Set password and sign in" }).click();
  await secondPage.getByRole("heading", { name: "Welcome, Finn Fabrikam" }).waitFor();

  const seen = await secondPage.content();
  for (const secret of ["Northwind", "Dana", "dana@northwind.example"]) {
    assert.ok(!seen.includes(secret), `the second client's page shows ${secret}`);
  }
  const workspace = await secondPage.evaluate(async () => (await fetch("/api/workspace")).text());
  assert.ok(workspace.includes("Fabrikam") && !workspace.includes("Northwind"));
  // The first contact is still signed in to their own workspace.
  await firstPage.reload();
  await firstPage.getByRole("heading", { name: "Welcome, Dana Whitfield" }).waitFor();
  await first.close();
  await second.close();
  await staff.close();
});

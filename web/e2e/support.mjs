// What the end-to-end tests share: one local portal (atrium-local on moto, seeded with the
// demo firm), Debian's chromium, screenshots at phone and desktop widths, sign-in helpers
// and the dev mailbox.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const artifacts = path.join(root, "test-artifacts");

export const STAFF = { email: "admin@harbourpike.example", password: "Harbour-Admin-2026!" };
export const DEMO_CONTACT = { slug: "northwind", email: "dana@northwind.example", password: "Northwind-Dana-2026!", name: "Dana Whitfield" };
/** Northwind's billing contact (local/src/seed.rs): invoices only. */
export const DEMO_BILLING = { slug: "northwind", email: "bea@northwind.example", password: "Northwind-Bea-2026!", name: "Bea Ledger" };
/**
 * A contact of two demo clients, Northwind Traders and Fabrikam Studio (local/src/seed.rs,
 * `two_org_email`). Tests take the password the portal's banner prints (`demoPassword`), so a
 * changed seed does not break them; this one is the seed's today.
 */
export const DEMO_TWO_ORGANISATIONS = {
  email: "sam@rivera-books.example",
  password: "Rivera-Sam-2026!",
  name: "Sam Rivera",
  organisations: ["Northwind Traders", "Fabrikam Studio"],
};

/** The password `make run`'s banner prints for `email` ("email  /  password"), if it prints one. */
export function demoPassword(env, email, fallback) {
  const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${escaped}\\s+/\\s+(\\S+)`).exec(env.banner ?? "")?.[1] ?? fallback;
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

export async function startPortal() {
  mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const binary = process.env.ATRIUM_LOCAL_BIN ?? path.join(root, "target/debug/atrium-local");
  const portal = spawn(binary, [], { env: { ...process.env, ATRIUM_PORT: String(port), ATRIUM_ROOT: process.env.ATRIUM_ROOT ?? root }, stdio: ["ignore", "pipe", "inherit"] });
  const banner = await new Promise((resolve, reject) => {
    let output = "";
    portal.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ctrl-C stops everything")) resolve(output);
    });
    portal.on("exit", (code) => reject(new Error(`atrium-local exited with ${code}: ${output}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return {
    base,
    browser,
    /** What the portal printed on start: the URL and the demo sign-ins. */
    banner,
    async stop() {
      await browser.close();
      portal.kill("SIGINT");
    },
  };
}

/** A full-page screenshot at 390 px (phone) and 1280 px (desktop): test-artifacts/<name>-{phone,desktop}.png. */
export async function shoot(page, name) {
  for (const [label, width] of [["phone", 390], ["desktop", 1280]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(artifacts, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Any uncaught error in the page fails the test that caused it.
  page.on("pageerror", (error) => {
    throw error;
  });
  return { context, page };
}

/** The one sign-in page (at / and /staff alike): email and password, no organisation. */
export async function fillSignIn(page, base, person, path = "/") {
  await page.goto(`${base}${path}`);
  await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The chooser after the password, for a person in several organisations. */
export async function chooseOrganisation(page, name) {
  await page.getByRole("heading", { name: "Choose an organisation" }).waitFor();
  await page.getByRole("list", { name: "Your organisations" }).getByRole("button", { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`) }).click();
}

export async function signInAsStaff(page, base) {
  await fillSignIn(page, base, STAFF, "/staff");
  await page.getByRole("heading", { name: "Clients", exact: true }).waitFor();
}

/** Signs a contact in; `organisation` picks one in the chooser (a person in several). */
export async function signInAsContact(page, base, contact, organisation) {
  await fillSignIn(page, base, contact);
  if (organisation) await chooseOrganisation(page, organisation);
  await page.getByRole("heading", { name: /^Welcome, / }).waitFor();
}

export async function onboard(page, client) {
  await page.getByLabel("Client name").fill(client.name);
  await page.getByLabel("Slug", { exact: true }).fill(client.slug);
  await page.getByLabel("Primary contact's name").fill(client.contactName);
  await page.getByLabel("Primary contact's email").fill(client.email);
  await page.getByRole("button", { name: "Onboard and send the invitation" }).click();
  await page.getByRole("cell", { name: client.slug, exact: true }).waitFor();
}

export async function mailTo(base, email) {
  const mail = await (await fetch(`${base}/dev/mailbox.json`)).json();
  return mail.filter((message) => message.to.includes(email));
}

/** The newest password reset link mailed to `email` (`…/reset-password#token=…`). */
export async function resetLink(base, email) {
  const resets = (await mailTo(base, email)).filter((message) => /reset-password#token=/.test(message.body));
  assert.ok(resets.length > 0, `a reset link was mailed to ${email}`);
  return resets.at(-1).body.match(/href="([^"]+\/reset-password#token=[^"]+)"/)[1];
}

export async function invitationLink(base, email) {
  const invitations = (await mailTo(base, email)).filter((message) => /invite#token=/.test(message.body));
  assert.equal(invitations.length, 1, `exactly one invitation to ${email}`);
  return invitations[0].body.match(/href="([^"]+\/invite#token=[^"]+)"/)[1];
}

/** Onboards a client through the staff screens and has its contact accept; returns the contact's page. */
export async function onboardAndAccept(env, staffPage, client) {
  await onboard(staffPage, client);
  const { context, page } = await newPage(env.browser);
  await page.goto(await invitationLink(env.base, client.email));
  await page.getByLabel("New password").fill(client.password);
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await page.getByRole("heading", { name: "Protect your account" }).waitFor();
  await page.getByRole("button", { name: "Skip for now" }).click();
  await page.getByRole("heading", { name: /^Welcome, / }).waitFor();
  return { context, page };
}

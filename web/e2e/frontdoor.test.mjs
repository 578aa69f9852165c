// End to end in Debian's chromium against the local portal (atrium-local on moto, the demo firm
// seeded): the front door of issue 15, one portal for this file, run in order. One sign-in page
// for clients and staff (email and password, no organisation), a forgotten password through the
// dev mailbox, a person in two organisations (the chooser, then the header's switcher), and a
// session ended from another one's Settings → Sessions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chooseOrganisation, DEMO_CONTACT, DEMO_TWO_ORGANISATIONS, demoPassword, fillSignIn, mailTo, newPage, shoot, signInAsContact, startPortal } from "./support.mjs";

let env;
/** Sam Rivera, a contact of Northwind Traders and of Fabrikam Studio, with the demo's password. */
let sam;

before(async () => {
  env = await startPortal();
  sam = { ...DEMO_TWO_ORGANISATIONS, password: demoPassword(env, DEMO_TWO_ORGANISATIONS.email, DEMO_TWO_ORGANISATIONS.password) };
});

after(async () => {
  await env?.stop();
});

/** Waits up to `timeout` ms for mail to `email` that `wanted` picks. */
async function mailArriving(email, wanted, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = (await mailTo(env.base, email)).filter(wanted);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const RESET_LINK = /href="([^"]+\/reset-password#token=[^"]+)"/;

/** Nothing wider than the screen at phone width (the page scrolls down, never sideways). */
async function fitsPhone(page, what) {
  await page.setViewportSize({ width: 390, height: 900 });
  await page.waitForTimeout(100);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width} px wide at 390 px`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("one sign-in page at / and /staff: the firm's name and logo, email and password, no organisation", async () => {
  const branding = await (await fetch(`${env.base}/api/branding`)).json();
  const { context, page } = await newPage(env.browser);
  for (const path of ["/", "/staff"]) {
    await page.goto(`${env.base}${path}`);
    await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
    assert.equal(await page.getByLabel("Organisation").count(), 0, `no organisation field at ${path}`);
    await page.getByLabel("Email", { exact: true }).waitFor();
    await page.getByLabel("Password", { exact: true }).waitFor();
    await page.locator(".firm-mark").getByText(branding.firm_name, { exact: true }).waitFor();
    if (branding.logo_url) await page.locator(".firm-mark img").waitFor();
    await page.getByRole("link", { name: "Forgot your password?" }).waitFor();
    await fitsPhone(page, `sign-in at ${path}`);
  }
  await shoot(page, "frontdoor-sign-in");
  await context.close();
});

test("a forgotten password: the same answer for every address, the link from the mail sets a new one, which signs in; the link works once", async () => {
  const { context, page } = await newPage(env.browser);
  await page.goto(env.base);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
  // The page's heading takes focus, so a screen reader starts there.
  await page.waitForFunction(() => document.activeElement?.tagName === "H1", null, { timeout: 2000 });
  await shoot(page, "forgot-password");

  // An address nobody has: the same answer as a real one, and no mail.
  const nobody = "nobody-here@northwind.example";
  await page.getByLabel("Email", { exact: true }).fill(nobody);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const answerForNobody = await page.locator('.notice[role="status"]').innerText();
  assert.ok(answerForNobody.length > 0);

  await page.getByRole("button", { name: "Ask again" }).click();
  await page.getByLabel("Email", { exact: true }).fill(DEMO_CONTACT.email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  assert.equal(await page.locator('.notice[role="status"]').innerText(), answerForNobody, "the same answer for every address");
  await shoot(page, "forgot-password-sent");

  const mails = await mailArriving(DEMO_CONTACT.email, (message) => RESET_LINK.test(message.body));
  assert.equal(mails.length, 1, `one reset mail to ${DEMO_CONTACT.email}`);
  assert.equal((await mailTo(env.base, nobody)).length, 0, "no mail to an address nobody has");
  const link = mails[0].body.match(RESET_LINK)[1];

  // The link: a refused password is named next to the field; a good one is set.
  await page.goto(link);
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await page.getByLabel("New password", { exact: true }).fill("weak");
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.getByLabel("New password", { exact: true }).and(page.locator('[aria-invalid="true"]')).waitFor();
  await shoot(page, "reset-password");
  const newPassword = "Northwind-Dana-Reset-2026!";
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
  await page.getByText("Your password is set").waitFor();
  // The token has left the address bar.
  assert.equal(new URL(page.url()).hash, "");
  assert.equal(new URL(page.url()).pathname, "/");

  // The old password no longer works; the new one does, with no organisation asked for.
  await page.getByLabel("Email", { exact: true }).fill(DEMO_CONTACT.email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_CONTACT.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("alert").waitFor();
  await page.getByLabel("Password", { exact: true }).fill(newPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Welcome, Dana" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/");

  // The link works once.
  const again = await newPage(env.browser);
  await again.page.goto(link);
  await again.page.getByLabel("New password", { exact: true }).fill("Northwind-Dana-Again-2026!");
  await again.page.getByRole("button", { name: "Set new password" }).click();
  await again.page.getByRole("heading", { name: "This link no longer works" }).waitFor();
  await again.page.getByRole("link", { name: "Ask for a new link" }).waitFor();
  assert.equal(new URL(again.page.url()).hash, "");
  await Promise.all([context.close(), again.context.close()]);
});

test("a person in two organisations: the chooser after the password, Northwind's dashboard, then Fabrikam from the header", async () => {
  const { context, page } = await newPage(env.browser);
  await fillSignIn(page, env.base, sam);
  await page.getByRole("heading", { name: "Choose an organisation" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.tagName === "H1", null, { timeout: 2000 });
  const choices = page.getByRole("list", { name: "Your organisations" });
  for (const name of sam.organisations) await choices.getByRole("button", { name: new RegExp(`^${name}`) }).waitFor();
  await fitsPhone(page, "the chooser");
  await shoot(page, "sign-in-choose-organisation");
  // Keyboard: the choice is a button, so Enter picks it.
  await choices.getByRole("button", { name: /^Northwind Traders/ }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: /^Welcome, Sam/ }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/");
  await page.locator(".subtitle").filter({ hasText: "Northwind Traders" }).waitFor();

  // The header's switcher names the current organisation; the other is one press away.
  const header = page.getByRole("banner");
  const toggle = header.getByRole("button", { name: /^Organisation: Northwind Traders/ });
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await header.locator('[aria-current="true"]').filter({ hasText: "Northwind Traders" }).waitFor();
  await shoot(page, "organisation-switcher");
  await header.getByRole("button", { name: /^Fabrikam Studio/ }).click();
  await header.getByRole("button", { name: /^Organisation: Fabrikam Studio/ }).waitFor();
  await page.getByRole("heading", { name: /^Welcome, Sam/ }).waitFor();
  await page.locator(".subtitle").filter({ hasText: "Fabrikam Studio" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/");
  // What is on screen is Fabrikam's workspace, not Northwind's.
  const workspace = await page.evaluate(async () => (await fetch("/api/workspace")).json());
  assert.equal(workspace.client?.name, "Fabrikam Studio", JSON.stringify(workspace.client));
  const me = await page.evaluate(async () => (await fetch("/api/me")).json());
  assert.equal(me.organisation?.name, "Fabrikam Studio");
  assert.deepEqual(me.organisations.map((organisation) => organisation.name).sort(), [...sam.organisations].sort());

  // Sign out, so the next test starts with no session of Sam's but its own.
  await header.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
  await context.close();
});

test("ending another session from Settings → Sessions sends that browser back to sign-in at its next request", async () => {
  const first = await newPage(env.browser);
  await signInAsContact(first.page, env.base, sam, "Northwind Traders");
  await first.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  const sessions = first.page.getByRole("list", { name: "Your sessions" });
  await sessions.waitFor();
  // Sessions of Sam's left by the tests before (a sign-out may leave its record): end them first.
  const endOthers = first.page.getByRole("button", { name: "End all other sessions" });
  if (await endOthers.count()) {
    await endOthers.click();
    await endOthers.waitFor({ state: "detached" });
  }

  const second = await newPage(env.browser);
  await signInAsContact(second.page, env.base, sam, "Northwind Traders");

  await first.page.reload();
  await sessions.waitFor();
  await sessions.getByText("This session").waitFor();
  const end = sessions.getByRole("button", { name: /^End the session in / });
  await end.first().waitFor();
  assert.equal(await end.count(), 1, "one other session: the second browser's");
  await first.page.getByRole("button", { name: "End all other sessions" }).waitFor();
  await fitsPhone(first.page, "Settings → Sessions");
  await shoot(first.page, "settings-sessions");
  await end.click();
  await end.waitFor({ state: "detached" });
  await first.page.locator(".notice").getByText(/^The session in .+ was ended\.$/).waitFor();
  assert.equal(await sessions.getByRole("listitem").count(), 1, "only this session is left");

  // The second browser's next request is refused, and it shows sign-in with the reason.
  await second.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Requests" }).click();
  await second.page.getByRole("heading", { name: "Sign in", exact: true }).waitFor({ timeout: 5000 });
  await second.page.getByText("Your session has ended").waitFor();
  // Refused at the gateway (its authorizer reads the session on every request): 403 from
  // API Gateway's own answer, or 401 where the cookie is gone.
  const status = await second.page.evaluate(async () => (await fetch("/api/me")).status);
  assert.ok(status === 401 || status === 403, `the ended session's /api/me answers ${status}`);

  // The first is still signed in.
  await first.page.reload();
  await first.page.getByRole("heading", { name: "Settings" }).waitFor();
  await sessions.getByText("This session").waitFor();
  await Promise.all([first.context.close(), second.context.close()]);
});

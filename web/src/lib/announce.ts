// One polite live region for the whole app: "Saved.", "Uploaded.", "Invitation sent."
let region: HTMLElement | null = null;

export function setAnnouncer(element: HTMLElement | null): void {
  region = element;
}

export function announce(message: string): void {
  if (!region) return;
  // Clearing first makes screen readers read the same message twice in a row too.
  region.textContent = "";
  const target = region;
  window.setTimeout(() => {
    target.textContent = message;
  }, 50);
  window.setTimeout(() => {
    if (target.textContent === message) target.textContent = "";
  }, 6000);
}

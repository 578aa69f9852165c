// The firm's branding (GET /api/branding, public: the sign-in page is branded too), applied as
// CSS custom properties. The server refuses colours white text cannot be read on, so the
// stylesheet can put white text on --brand and --accent.
import { api, call, type Schemas } from "../api/client";

export type BrandingView = Schemas["Branding"];

export const DEFAULT_BRANDING: BrandingView = {
  firm_name: "Client portal",
  primary_colour: "#1d4ed8",
  accent_colour: "#0f766e",
  support_email: null,
  logo_url: null,
  version: 0,
};

const HEX = /^#[0-9a-fA-F]{6}$/;

export async function loadBranding(): Promise<BrandingView> {
  try {
    const branding = await call(api.GET("/api/branding"));
    return {
      ...branding,
      primary_colour: HEX.test(branding.primary_colour) ? branding.primary_colour : DEFAULT_BRANDING.primary_colour,
      accent_colour: HEX.test(branding.accent_colour) ? branding.accent_colour : DEFAULT_BRANDING.accent_colour,
    };
  } catch {
    return DEFAULT_BRANDING;
  }
}

/** Who wants to hear that the branding changed (the shell's top bar). */
const listeners = new Set<(branding: BrandingView) => void>();
export function onBrandingChange(listener: (branding: BrandingView) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function applyBranding(branding: BrandingView): void {
  const root = document.documentElement.style;
  root.setProperty("--brand", branding.primary_colour);
  root.setProperty("--accent", branding.accent_colour);
  document.body.dataset.firm = branding.firm_name;
  document.querySelector('meta[name="theme-color"]')?.setAttribute("content", branding.primary_colour);
  listeners.forEach((listener) => listener(branding));
}

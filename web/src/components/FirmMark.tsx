// The firm's logo and name above the front door's forms (sign-in, forgotten password, reset):
// the public branding, so it shows before anyone is signed in.
import { useState } from "preact/hooks";
import type { BrandingView } from "../lib/branding";

/** The firm's logo and name above the sign-in forms (public branding: no session needed). */
export function FirmMark(props: { branding?: BrandingView }) {
  const [broken, setBroken] = useState(false);
  if (!props.branding) return null;
  const { logo_url, firm_name } = props.branding;
  return (
    <div class="firm-mark">
      {logo_url && !broken && <img src={logo_url} alt="" class="firm-logo" onError={() => setBroken(true)} />}
      <p class="firm-name">{firm_name}</p>
    </div>
  );
}

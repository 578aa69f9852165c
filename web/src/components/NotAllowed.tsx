// Pages someone can reach but may not use: the page's title and a note saying who may use it
// and whom to ask. The API would refuse them anyway; this says so before they try.
import type { ComponentChildren } from "preact";
import { hasRole, useMe } from "../state";
import { Page } from "./ui";

export function NotAllowedPage(props: { title: string; children: ComponentChildren }) {
  return (
    <Page title={props.title}>
      <div class="notice" role="note">
        <p>{props.children}</p>
      </div>
    </Page>
  );
}

/** The page in `children` for the firm's admins; for anyone else, the `refusal` note under the page's title. */
export function FirmAdminsOnly(props: { title: string; refusal: string; children: ComponentChildren }) {
  const me = useMe();
  if (me.kind !== "staff" || !hasRole(me, "admin")) return <NotAllowedPage title={props.title}>{props.refusal}</NotAllowedPage>;
  return <>{props.children}</>;
}

// The question before an action that cannot simply be taken back (remove a contact, disable a
// member of staff, cancel a request, void an invoice): what will happen, then the danger button
// and a way out that changes nothing.
import type { ComponentChildren } from "preact";
import { Button, Dialog } from "./ui";

export function ConfirmDialog(props: {
  open?: boolean;
  title: string;
  /** The danger button's label, e.g. "Remove the contact". */
  confirm: string;
  /** The way out's label. */
  cancel?: string;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
  /** What will happen (and any error of the last try), above the buttons. */
  children: ComponentChildren;
}) {
  return (
    <Dialog open={props.open ?? true} title={props.title} onClose={props.onClose}>
      {props.children}
      <div class="actions">
        <Button kind="danger" busy={props.busy} onClick={props.onConfirm}>
          {props.confirm}
        </Button>
        <Button kind="secondary" onClick={props.onClose}>
          {props.cancel ?? "Cancel"}
        </Button>
      </div>
    </Dialog>
  );
}

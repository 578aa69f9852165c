// A record's message thread: `general`, `project:<id>`, `request:<id>`, `document:<id>` or
// `ticket:<id>`. Contacts read it from /api/threads/…; the firm (and the firm's "view as
// client" preview) from /api/clients/{id}/threads/…. With `staff`, the firm's internal notes
// are shown in the same timeline, visibly different, and can be written; they come from the
// notes route, which no client screen calls.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../api/client";
import { announce } from "../lib/announce";
import { formatDateTime } from "../lib/format";
import { useMe } from "../state";
import { Async, Button, Empty, ErrorMessage, Form, TextArea, useAsync, useSubmit } from "./ui";

export type Message = Schemas["Message"];
type Entry = Message & { note?: boolean };

/** Pages read at most at once (200 messages each); later ones come with "Show later messages". */
const PAGES_AT_ONCE = 5;

async function readAll(read: (cursor?: string) => Promise<{ items: Message[]; next_cursor: string | null }>, from?: string) {
  const items: Message[] = [];
  let cursor = from;
  for (let page = 0; page < PAGES_AT_ONCE; page++) {
    const answer = await read(cursor);
    items.push(...answer.items);
    if (!answer.next_cursor) return { items, next: undefined };
    cursor = answer.next_cursor;
  }
  return { items, next: cursor };
}

function byTime(a: Entry, b: Entry): number {
  return a.created_at === b.created_at ? a.id.localeCompare(b.id) : a.created_at.localeCompare(b.created_at);
}

export function Thread(props: { thread: string; clientId?: string; staff?: boolean; readOnly?: boolean; title?: string }) {
  const me = useMe();
  const { thread, clientId } = props;
  const withNotes = Boolean(props.staff && clientId);
  const [later, setLater] = useState<{ messages?: string; notes?: string }>({});
  const [extra, setExtra] = useState<Entry[]>([]);

  const readMessages = (cursor?: string) =>
    clientId
      ? call(api.GET("/api/clients/{id}/threads/{thread}/messages", { params: { path: { id: clientId, thread }, query: { limit: 200, cursor } } })).then((page) => ({ items: page.messages, next_cursor: page.next_cursor }))
      : call(api.GET("/api/threads/{thread}/messages", { params: { path: { thread }, query: { limit: 200, cursor } } })).then((page) => ({ items: page.messages, next_cursor: page.next_cursor }));
  const readNotes = (cursor?: string) =>
    call(api.GET("/api/clients/{id}/threads/{thread}/notes", { params: { path: { id: clientId ?? "", thread }, query: { limit: 200, cursor } } })).then((page) => ({ items: page.notes, next_cursor: page.next_cursor }));

  const state = useAsync(async (): Promise<Entry[]> => {
    setExtra([]);
    const [messages, notes] = await Promise.all([readAll(readMessages), withNotes ? readAll(readNotes) : Promise.resolve({ items: [] as Message[], next: undefined })]);
    setLater({ messages: messages.next, notes: notes.next });
    return [...messages.items, ...notes.items.map((note) => ({ ...note, note: true }))];
  }, [thread, clientId, withNotes]);

  const more = useSubmit(async () => {
    const [messages, notes] = await Promise.all([
      later.messages ? readAll(readMessages, later.messages) : Promise.resolve({ items: [] as Message[], next: undefined }),
      later.notes ? readAll(readNotes, later.notes) : Promise.resolve({ items: [] as Message[], next: undefined }),
    ]);
    setLater({ messages: messages.next, notes: notes.next });
    setExtra((previous) => [...previous, ...messages.items, ...notes.items.map((note) => ({ ...note, note: true }))]);
  });

  const mine = `${me.kind}:${me.sub}`;
  const title = props.title ?? "Messages";
  return (
    <section class="thread-panel stack" aria-label={title}>
      <Async state={state} label="Loading the messages…">
        {(loaded) => {
          const seen = new Set<string>();
          const entries = [...loaded, ...extra].filter((entry) => {
            const key = `${entry.note ? "n" : "m"}${entry.id}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
          entries.sort(byTime);
          return (
            <>
              {entries.length === 0 ? (
                <Empty>No messages yet.</Empty>
              ) : (
                <ol class="thread" aria-label={title}>
                  {entries.map((entry) => (
                    <MessageItem key={`${entry.note ? "n" : "m"}${entry.id}`} entry={entry} mine={entry.author === mine} />
                  ))}
                </ol>
              )}
              {(later.messages || later.notes) && (
                <>
                  <ErrorMessage error={more.error} />
                  <Button kind="secondary" busy={more.busy} onClick={() => void more.submit()}>
                    Show later messages
                  </Button>
                </>
              )}
              {!props.readOnly && (
                <Composer
                  thread={thread}
                  clientId={clientId}
                  withNotes={withNotes}
                  onPosted={(entry) => {
                    if (later.messages || later.notes) state.reload();
                    else setExtra((previous) => [...previous, entry]);
                  }}
                />
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}

function MessageItem(props: { entry: Entry; mine: boolean }) {
  const { entry } = props;
  return (
    <li class={`message${entry.note ? " note" : ""}${props.mine ? " mine" : ""}`}>
      {entry.note && <p class="note-label">Internal note — not visible to the client</p>}
      <p class="meta">
        <strong>{props.mine ? "You" : entry.author_name}</strong>{" "}
        <time class="muted" dateTime={entry.created_at}>
          {formatDateTime(entry.created_at)}
        </time>
      </p>
      <p>{entry.body}</p>
    </li>
  );
}

function Composer(props: { thread: string; clientId?: string; withNotes: boolean; onPosted: (entry: Entry) => void }) {
  const [body, setBody] = useState("");
  const [asNote, setAsNote] = useState(false);
  const [empty, setEmpty] = useState<string>();
  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    if (!body.trim()) {
      setEmpty(asNote ? "Write the note first." : "Write your message first.");
      return;
    }
    setEmpty(undefined);
    const payload = { body };
    const thread = props.thread;
    let posted: Entry;
    if (props.clientId && asNote) {
      posted = { ...(await call(api.POST("/api/clients/{id}/threads/{thread}/notes", { params: { path: { id: props.clientId, thread } }, body: payload }))), note: true };
    } else if (props.clientId) {
      posted = await call(api.POST("/api/clients/{id}/threads/{thread}/messages", { params: { path: { id: props.clientId, thread } }, body: payload }));
    } else {
      posted = await call(api.POST("/api/threads/{thread}/messages", { params: { path: { thread } }, body: payload }));
    }
    setBody("");
    props.onPosted(posted);
    announce(asNote ? "Internal note saved." : "Message sent.");
  });
  return (
    <Form class={`composer stack${asNote ? " note" : ""}`} label={asNote ? "Write an internal note" : "Write a message"} onSubmit={() => void submit()}>
      {props.withNotes && (
        <fieldset class="row">
          <legend>Who sees it</legend>
          <label>
            <input type="radio" name={`audience-${props.thread}`} checked={!asNote} onChange={() => setAsNote(false)} /> The client (a message)
          </label>
          <label>
            <input type="radio" name={`audience-${props.thread}`} checked={asNote} onChange={() => setAsNote(true)} /> Only the firm (an internal note)
          </label>
        </fieldset>
      )}
      <TextArea
        label={asNote ? "Internal note" : "Your message"}
        name="body"
        required
        rows={3}
        maxLength={10000}
        hint={asNote ? "Only the firm's staff see internal notes; nobody is emailed." : props.withNotes ? "The client's contacts are emailed that there is a new message (without its text)." : undefined}
        value={body}
        onValue={(value) => {
          setBody(value);
          if (empty) setEmpty(undefined);
        }}
        error={empty ?? fieldError("body")}
      />
      <ErrorMessage error={formError} />
      <div class="actions">
        <Button type="submit" busy={busy}>
          {asNote ? "Save internal note" : "Send message"}
        </Button>
      </div>
    </Form>
  );
}

/** A thread's name for people. */
export function threadLabel(thread: string, names: Record<string, string> = {}): string {
  if (thread === "general") return "General conversation";
  const [kind] = thread.split(":");
  const name = names[thread];
  const kinds: Record<string, string> = { project: "Project", request: "Request", document: "Document", ticket: "Support ticket" };
  const prefix = kinds[kind ?? ""] ?? "Conversation";
  return name ? `${prefix}: ${name}` : prefix;
}

export interface ThreadChoice {
  thread: string;
  label: string;
  group: string;
}

/**
 * The threads a person can open: the general one and one per project, request and ticket.
 * A list that cannot be read (e.g. a role that may not see it) is left out, not fatal.
 */
export async function threadChoices(clientId?: string): Promise<ThreadChoice[]> {
  const path = { params: { path: { id: clientId ?? "" } } };
  const [projects, requests, tickets] = await Promise.allSettled(
    clientId
      ? [
          call(api.GET("/api/clients/{id}/projects", path)).then((answer) => answer.projects),
          call(api.GET("/api/clients/{id}/requests", path)).then((answer) => answer.requests),
          call(api.GET("/api/clients/{id}/tickets", path)).then((answer) => answer.tickets),
        ]
      : [
          call(api.GET("/api/projects")).then((answer) => answer.projects),
          call(api.GET("/api/requests")).then((answer) => answer.requests),
          call(api.GET("/api/tickets")).then((answer) => answer.tickets),
        ],
  );
  const choices: ThreadChoice[] = [{ thread: "general", label: "General conversation", group: "General" }];
  if (projects.status === "fulfilled") {
    for (const project of projects.value as Schemas["Project"][]) {
      if (!clientId && project.status === "archived") continue;
      choices.push({ thread: `project:${project.id}`, label: project.name, group: "Projects" });
    }
  }
  if (requests.status === "fulfilled") {
    for (const request of requests.value as Schemas["Request"][]) choices.push({ thread: `request:${request.id}`, label: request.title, group: "Document requests" });
  }
  if (tickets.status === "fulfilled") {
    for (const ticket of tickets.value as Schemas["Ticket"][]) choices.push({ thread: `ticket:${ticket.id}`, label: ticket.subject, group: "Support tickets" });
  }
  return choices;
}

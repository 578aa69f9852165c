// The client's conversations with the firm: the general thread and one per project, document
// request and support ticket. Only messages: the firm's internal notes never reach this screen.
import { Thread, threadChoices, threadLabel, type ThreadChoice } from "../../components/Thread";
import { canAct, link, useMe, useScope } from "../../state";
import { Async, Card, Page, useAsync } from "../../components/ui";

export function Messages(props: { thread?: string }) {
  const scope = useScope();
  const me = useMe();
  const current = props.thread ? decodeURIComponent(props.thread) : "general";
  const choices = useAsync(() => threadChoices(scope.clientId), [scope.clientId]);
  const readOnly = scope.readOnly || !canAct(me);
  const names = Object.fromEntries((choices.data ?? []).map((choice) => [choice.thread, choice.label]));
  // A thread named in the address but not in the lists (a document's, or an older record's).
  const title = threadLabel(current, names);
  return (
    <Page title="Messages" subtitle={`Your conversations with ${me.firm.name}.`}>
      <div class="split">
        <Card title="Conversations" class="thread-list">
          <Async state={choices} label="Loading your conversations…">
            {(found) => <ThreadNav choices={found} current={current} base={link(scope, "/messages")} />}
          </Async>
        </Card>
        <Card title={title}>
          {readOnly && !scope.readOnly && <p class="notice">Your role can read messages but not write them.</p>}
          <Thread key={current} thread={current} clientId={scope.clientId} readOnly={readOnly} title={title} />
          <RecordLink thread={current} />
        </Card>
      </div>
    </Page>
  );
}

/** The list of threads, grouped; the open one is marked for assistive technology too. */
export function ThreadNav(props: { choices: ThreadChoice[]; current: string; base: string }) {
  const groups = [...new Set(props.choices.map((choice) => choice.group))];
  return (
    <nav aria-label="Conversations" class="stack">
      {groups.map((group) => (
        <div key={group}>
          {groups.length > 1 && <h3 class="group-title">{group}</h3>}
          <ul class="list">
            {props.choices
              .filter((choice) => choice.group === group)
              .map((choice) => (
                <li key={choice.thread}>
                  <a href={`${props.base}/${choice.thread}`} aria-current={choice.thread === props.current ? "page" : undefined}>
                    {choice.label}
                  </a>
                </li>
              ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

/** A link from a record's thread to the record itself. */
function RecordLink(props: { thread: string }) {
  const scope = useScope();
  const [kind, id] = props.thread.split(":");
  const pages: Record<string, [string, string]> = {
    project: ["/projects/", "Open the project"],
    request: ["/requests/", "Open the request"],
    document: ["/documents/", "Open the document"],
    ticket: ["/tickets/", "Open the ticket"],
  };
  const page = kind && id ? pages[kind] : undefined;
  if (!page) return null;
  return (
    <p>
      <a href={link(scope, `${page[0]}${id}`)}>{page[1]}</a>
    </p>
  );
}

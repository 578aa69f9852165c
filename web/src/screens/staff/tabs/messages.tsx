// A client's conversations as the firm sees them: the messages both sides see and, in the same
// timeline, the firm's internal notes (marked, never sent to or shown to the client).
import { Thread, threadChoices, threadLabel } from "../../../components/Thread";
import { clientLink, useStaffClient } from "../../../state";
import { Async, Card, Page, useAsync } from "../../../components/ui";
import { ThreadNav } from "../../client/messages";

export function MessagesTab(props: { thread?: string }) {
  const client = useStaffClient();
  const current = props.thread ? decodeURIComponent(props.thread) : "general";
  const choices = useAsync(() => threadChoices(client.id), [client.id]);
  const names = Object.fromEntries((choices.data ?? []).map((choice) => [choice.thread, choice.label]));
  const title = threadLabel(current, names);
  return (
    <Page title={`${client.name}: messages`} subtitle="Messages are seen by the client; internal notes only by the firm.">
      <div class="split">
        <Card title="Conversations" class="thread-list">
          <Async state={choices} label="Loading the conversations…">
            {(found) => <ThreadNav choices={found} current={current} base={clientLink(client, "messages")} />}
          </Async>
        </Card>
        <Card title={title}>
          <Thread key={current} thread={current} clientId={client.id} staff title={title} />
        </Card>
      </div>
    </Page>
  );
}

// The client's projects: active first, each with its progress and next milestone; a project's
// milestones as a timeline and its tasks with who does them. Contacts who can act tick the
// tasks that are theirs.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { Thread } from "../../components/Thread";
import { announce } from "../../lib/announce";
import { formatDate, formatDateTime, today } from "../../lib/format";
import { canAct, link, useMe, useScope, type Scope } from "../../state";
import { Async, Badge, Card, Empty, ErrorMessage, Page, useAsync } from "../../components/ui";

export type Project = Schemas["Project"];
export type Milestone = Schemas["Milestone"];
export type Task = Schemas["Task"];

const STATUS_ORDER: Record<Project["status"], number> = { active: 0, on_hold: 1, completed: 2, archived: 3 };

export function projectStatus(status: Project["status"]): { text: string; tone: "good" | "info" | "warn" | "neutral" } {
  switch (status) {
    case "active":
      return { text: "Active", tone: "info" };
    case "on_hold":
      return { text: "On hold", tone: "warn" };
    case "completed":
      return { text: "Completed", tone: "good" };
    default:
      return { text: "Archived", tone: "neutral" };
  }
}

export function milestoneStatus(status: Milestone["status"]): { text: string; tone: "good" | "info" | "neutral" } {
  if (status === "done") return { text: "Done", tone: "good" };
  if (status === "in_progress") return { text: "In progress", tone: "info" };
  return { text: "Planned", tone: "neutral" };
}

/** Active projects first, then on hold, completed, archived; newest first within each. */
export function sortProjects(projects: Project[]): Project[] {
  return [...projects].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.created_at.localeCompare(a.created_at));
}

async function loadProjects(scope: Scope): Promise<Project[]> {
  const answer = scope.clientId ? await call(api.GET("/api/clients/{id}/projects", { params: { path: { id: scope.clientId } } })) : await call(api.GET("/api/projects"));
  // A preview shows what the client sees: archived projects are not theirs to see.
  return sortProjects(answer.projects.filter((project) => !scope.clientId || project.status !== "archived"));
}

export function ProgressLine(props: { project: Project }) {
  const { progress, name } = props.project;
  return (
    <span class="progress-line">
      <progress max={100} value={progress.percent} aria-label={`${name}: ${progress.percent}% of tasks done`} />
      <span class="muted">
        {progress.total === 0 ? "No tasks yet" : `${progress.done} of ${progress.total} tasks done (${progress.percent}%)`}
      </span>
    </span>
  );
}

/** The next milestone in one muted line ("Next: Kickoff · 3 Mar 2026"), for lists of projects; nothing when none is left. */
export function NextMilestone(props: { milestone: Pick<Milestone, "title" | "estimated_date"> | null | undefined }) {
  const next = props.milestone;
  if (!next) return null;
  return (
    <span class="muted">
      Next: {next.title}
      {next.estimated_date ? ` · ${formatDate(next.estimated_date)}` : ""}
    </span>
  );
}

export function Projects() {
  const scope = useScope();
  const state = useAsync(() => loadProjects(scope), [scope.clientId]);
  return (
    <Page title="Projects" subtitle="What we are working on together, and where each piece stands.">
      <Async state={state} label="Loading your projects…">
        {(projects) =>
          projects.length === 0 ? (
            <Empty>There are no projects yet.</Empty>
          ) : (
            <ul class="grid cards">
              {projects.map((project) => {
                const status = projectStatus(project.status);
                const next = project.next_milestone;
                return (
                  <li key={project.id} class="card stack">
                    <div class="card-head">
                      <h2>
                        <a href={link(scope, `/projects/${project.id}`)}>{project.name}</a>
                      </h2>
                      <Badge tone={status.tone}>{status.text}</Badge>
                    </div>
                    {project.description && <p class="clamp">{project.description}</p>}
                    <ProgressLine project={project} />
                    <p class="muted">
                      {next ? (
                        <>
                          Next milestone: <strong>{next.title}</strong>
                          {next.estimated_date && (
                            <>
                              {" "}
                              · expected <time dateTime={next.estimated_date}>{formatDate(next.estimated_date)}</time>
                            </>
                          )}
                        </>
                      ) : project.milestones.length > 0 ? (
                        "Every milestone is done."
                      ) : (
                        "No milestones."
                      )}
                    </p>
                  </li>
                );
              })}
            </ul>
          )
        }
      </Async>
    </Page>
  );
}

export function ProjectDetail(props: { project: string }) {
  const scope = useScope();
  const me = useMe();
  const state = useAsync(
    () =>
      scope.clientId
        ? call(api.GET("/api/clients/{id}/projects/{project}", { params: { path: { id: scope.clientId, project: props.project } } }))
        : call(api.GET("/api/projects/{project}", { params: { path: { project: props.project } } })),
    [scope.clientId, props.project],
  );
  const [updated, setUpdated] = useState<Project>();
  const mayTick = !scope.readOnly && canAct(me);
  return (
    <Async state={state} label="Loading the project…">
      {(loaded) => {
        const project = updated && updated.id === loaded.id && updated.version >= loaded.version ? updated : loaded;
        const status = projectStatus(project.status);
        return (
          <Page
            title={project.name}
            subtitle={
              <>
                <Badge tone={status.tone}>{status.text}</Badge> · updated <time dateTime={project.updated_at}>{formatDate(project.updated_at)}</time>
              </>
            }
          >
            <p class="breadcrumb">
              <a href={link(scope, "/projects")}>Projects</a> / {project.name}
            </p>
            {project.description && <p class="description">{project.description}</p>}
            <ProgressLine project={project} />
            <div class="grid">
              <Card title="Milestones">
                <MilestoneTimeline milestones={project.milestones} />
              </Card>
              <Card title="Tasks">
                <TaskList project={project} firm={me.firm.name} mayTick={mayTick && project.status !== "archived"} onChanged={setUpdated} />
              </Card>
            </div>
            <Card title="Messages about this project">
              <Thread thread={`project:${project.id}`} clientId={scope.clientId} readOnly={scope.readOnly || !canAct(me)} title={`Messages about ${project.name}`} />
            </Card>
          </Page>
        );
      }}
    </Async>
  );
}

export function MilestoneTimeline(props: { milestones: Milestone[] }) {
  if (props.milestones.length === 0) return <Empty>No milestones yet.</Empty>;
  return (
    <ol class="timeline">
      {props.milestones.map((milestone) => {
        const status = milestoneStatus(milestone.status);
        const late = milestone.status !== "done" && milestone.estimated_date && milestone.estimated_date < today();
        return (
          <li key={milestone.id} class={`milestone ${milestone.status}`}>
            <div class="row">
              <strong>{milestone.title}</strong>
              <Badge tone={status.tone}>{status.text}</Badge>
              {late && <Badge tone="warn">Later than expected</Badge>}
            </div>
            <p class="muted">
              {milestone.actual_date ? (
                <>
                  Reached <time dateTime={milestone.actual_date}>{formatDate(milestone.actual_date)}</time>
                  {milestone.estimated_date && (
                    <>
                      {" "}
                      (expected <time dateTime={milestone.estimated_date}>{formatDate(milestone.estimated_date)}</time>)
                    </>
                  )}
                </>
              ) : milestone.estimated_date ? (
                <>
                  Expected <time dateTime={milestone.estimated_date}>{formatDate(milestone.estimated_date)}</time>
                </>
              ) : (
                "No date yet"
              )}
            </p>
          </li>
        );
      })}
    </ol>
  );
}

function TaskList(props: { project: Project; firm: string; mayTick: boolean; onChanged: (project: Project) => void }) {
  const scope = useScope();
  const [busy, setBusy] = useState<string>();
  // While a tick is on its way the box shows what was chosen.
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<{ task: string; error: unknown }>();
  const tasks = props.project.tasks;
  if (tasks.length === 0) return <Empty>No tasks yet.</Empty>;
  const tick = async (task: Task, done: boolean) => {
    setBusy(task.id);
    setChosen((previous) => ({ ...previous, [task.id]: done }));
    setError(undefined);
    try {
      const project = await call(api.POST("/api/projects/{project}/tasks/{task}", { params: { path: { project: props.project.id, task: task.id } }, body: { done } }));
      props.onChanged(project);
      announce(done ? `“${task.title}” is done.` : `“${task.title}” is open again.`);
    } catch (problem) {
      setError({ task: task.id, error: problem });
    } finally {
      setBusy(undefined);
      setChosen(({ [task.id]: _gone, ...rest }) => rest);
    }
  };
  const ours = tasks.filter((task) => task.assignee === "client");
  const theirs = tasks.filter((task) => task.assignee === "firm");
  const group = (title: string, list: Task[], who: string) =>
    list.length > 0 && (
      <div class="stack">
        <h3>{title}</h3>
        <ul class="tasks">
          {list.map((task) => {
            const tickable = props.mayTick && task.assignee === "client" && !scope.clientId;
            const late = !task.done && task.due_date && task.due_date < today();
            return (
              <li key={task.id} class={`task${task.done ? " done" : ""}`}>
                {tickable ? (
                  <label class="task-check">
                    <input type="checkbox" checked={chosen[task.id] ?? task.done} disabled={busy === task.id} aria-busy={busy === task.id || undefined} onChange={(event) => void tick(task, (event.currentTarget as HTMLInputElement).checked)} />{" "}
                    {task.title}
                  </label>
                ) : (
                  <span>
                    <span aria-hidden="true">{task.done ? "✓ " : "○ "}</span>
                    {task.title}
                    <span class="visually-hidden">{task.done ? " (done)" : " (to do)"}</span>
                  </span>
                )}
                <span class="muted">
                  {who}
                  {task.due_date && (
                    <>
                      {" "}
                      · due <time dateTime={task.due_date}>{formatDate(task.due_date)}</time>
                    </>
                  )}
                  {task.done && task.done_at && (
                    <>
                      {" "}
                      · done <time dateTime={task.done_at}>{formatDateTime(task.done_at)}</time>
                    </>
                  )}
                </span>
                {late && <Badge tone="bad">Overdue</Badge>}
                {error?.task === task.id && <ErrorMessage error={error.error} />}
              </li>
            );
          })}
        </ul>
      </div>
    );
  return (
    <div class="stack">
      {group("For you", ours, "Your team")}
      {group(`For ${props.firm}`, theirs, props.firm)}
      {!props.mayTick && ours.some((task) => !task.done) && !scope.readOnly && <p class="hint">Your role can see these tasks but not tick them.</p>}
    </div>
  );
}

// A client's projects as the firm sees them: create one (or the onboarding checklist), edit
// its name, status, milestones, tasks and the firm's internal fields, tick tasks, and talk
// about it with the client (and among the firm, in internal notes).
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError, call, type Schemas } from "../../../api/client";
import { Thread } from "../../../components/Thread";
import { announce } from "../../../lib/announce";
import { formatDate } from "../../../lib/format";
import { clientLink, useStaffClient } from "../../../state";
import { Async, Badge, Button, Card, Checkbox, Empty, ErrorMessage, Form, Page, SelectField, TextArea, TextField, useAsync, useSubmit } from "../../../components/ui";
import { MilestoneTimeline, NextMilestone, ProgressLine, projectStatus, sortProjects } from "../../client/projects";

type StaffProject = Schemas["StaffProject"];
type Project = Schemas["Project"];
type MilestoneInput = Schemas["MilestoneInput"];
type TaskInput = Schemas["TaskInput"];

const STATUS_OPTIONS = [
  { value: "active", label: "Active" },
  { value: "on_hold", label: "On hold" },
  { value: "completed", label: "Completed" },
  { value: "archived", label: "Archived (hidden from the client)" },
];
const MILESTONE_OPTIONS = [
  { value: "planned", label: "Planned" },
  { value: "in_progress", label: "In progress" },
  { value: "done", label: "Done" },
];
const ASSIGNEE_OPTIONS = [
  { value: "client", label: "The client" },
  { value: "firm", label: "The firm" },
];

export function ProjectsTab(props: { project?: string }) {
  return props.project ? <ProjectEditor key={props.project} projectId={props.project} /> : <ProjectList />;
}

function ProjectList() {
  const client = useStaffClient();
  const state = useAsync(() => call(api.GET("/api/clients/{id}/projects", { params: { path: { id: client.id } } })).then((answer) => sortProjects(answer.projects)), [client.id]);
  const [creating, setCreating] = useState(false);
  return (
    <Page
      title={`${client.name}: projects`}
      actions={
        !creating && (
          <Button onClick={() => setCreating(true)}>
            New project
          </Button>
        )
      }
    >
      {creating && <NewProject onCancel={() => setCreating(false)} />}
      <Async state={state} label="Loading the projects…">
        {(projects) =>
          projects.length === 0 ? (
            <Empty>No projects yet.</Empty>
          ) : (
            <ul class="list">
              {projects.map((project) => {
                const status = projectStatus(project.status);
                return (
                  <li key={project.id}>
                    <a href={clientLink(client, "projects", project.id)}>{project.name}</a>
                    <Badge tone={status.tone}>{status.text}</Badge>
                    <ProgressLine project={project} />
                    <NextMilestone milestone={project.next_milestone} />
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

function NewProject(props: { onCancel: () => void }) {
  const client = useStaffClient();
  const location = useLocation();
  const [template, setTemplate] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [missing, setMissing] = useState<string>();
  const { submit, busy, fieldError, formError } = useSubmit(async () => {
    if (!template && !name.trim()) {
      setMissing("Give the project a name.");
      return;
    }
    setMissing(undefined);
    const created = await call(
      api.POST("/api/clients/{id}/projects", {
        params: { path: { id: client.id } },
        body: template ? { template: "onboarding", ...(name.trim() ? { name } : {}), description } : { name, description },
      }),
    );
    announce("Project created.");
    location.route(clientLink(client, "projects", created.id));
  });
  return (
    <Card title="New project">
      <Form label="New project" class="stack" onSubmit={() => void submit()}>
        <Checkbox
          name="template"
          label="Start from the onboarding checklist"
          hint="A “Kickoff” milestone and the four first tasks every new client does (questionnaire, documents, data agreement, kickoff call)."
          checked={template}
          onChecked={setTemplate}
          error={fieldError("template")}
        />
        <TextField name="name" label="Name" required={!template} hint={template ? "“Onboarding” if left empty." : undefined} maxLength={200} value={name} onValue={setName} error={missing ?? fieldError("name")} />
        <TextArea name="description" label="Description" hint="The client sees this." maxLength={4000} value={description} onValue={setDescription} error={fieldError("description")} />
        <p class="hint">Add milestones, tasks and the internal fields once the project exists.</p>
        <ErrorMessage error={formError} />
        <div class="actions">
          <Button type="submit" busy={busy}>
            Create project
          </Button>
          <Button kind="secondary" onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
    </Card>
  );
}

interface Draft {
  name: string;
  description: string;
  status: Project["status"];
  milestones: (MilestoneInput & { key: string })[];
  tasks: (TaskInput & { key: string; done: boolean })[];
  budget: string;
  currency: string;
  notes: string;
  owner: string;
}

let keys = 0;
const newKey = () => `new-${++keys}`;

function draftOf(project: StaffProject): Draft {
  const internal = project.internal;
  return {
    name: project.name,
    description: project.description,
    status: project.status,
    milestones: project.milestones.map((milestone) => ({ ...milestone, key: milestone.id })),
    tasks: project.tasks.map((task) => ({ id: task.id, key: task.id, title: task.title, assignee: task.assignee, due_date: task.due_date, done: task.done })),
    budget: internal?.budget_minor != null ? (internal.budget_minor / 100).toFixed(2) : "",
    currency: internal?.currency ?? "",
    notes: internal?.internal_notes ?? "",
    owner: internal?.internal_owner ?? "",
  };
}

/** "1,250.50" → 125050 minor units; undefined for empty; NaN when not a number. */
export function budgetMinor(text: string): number | undefined {
  const cleaned = text.replace(/[,\s]/g, "");
  if (!cleaned) return undefined;
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return Number.NaN;
  return Math.round(Number(cleaned) * 100);
}

function ProjectEditor(props: { projectId: string }) {
  const client = useStaffClient();
  const state = useAsync(() => call(api.GET("/api/clients/{id}/projects/{project}", { params: { path: { id: client.id, project: props.projectId } } })), [client.id, props.projectId]);
  return (
    <Async state={state} label="Loading the project…">
      {(project) => <ProjectForm key={`${project.id}-${project.version}`} project={project} reload={state.reload} />}
    </Async>
  );
}

function ProjectForm(props: { project: StaffProject; reload: () => void }) {
  const client = useStaffClient();
  const { project } = props;
  const [draft, setDraft] = useState<Draft>(() => draftOf(project));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const set = (change: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...change }));
  const status = projectStatus(project.status);

  const save = useSubmit(async () => {
    const found: Record<string, string> = {};
    if (!draft.name.trim()) found.name = "Give the project a name.";
    draft.milestones.forEach((milestone, index) => {
      if (!milestone.title.trim()) found[`milestones[${index}].title`] = "Give the milestone a title, or remove it.";
    });
    draft.tasks.forEach((task, index) => {
      if (!task.title.trim()) found[`tasks[${index}].title`] = "Give the task a title, or remove it.";
    });
    const budget = budgetMinor(draft.budget);
    if (Number.isNaN(budget)) found["internal.budget_minor"] = "Write the budget as a number, e.g. 12500 or 12500.50.";
    setProblems(found);
    if (Object.keys(found).length > 0) {
      announce("Please correct the marked fields.");
      return;
    }
    await call(
      api.PATCH("/api/clients/{id}/projects/{project}", {
        params: { path: { id: client.id, project: project.id } },
        body: {
          version: project.version,
          name: draft.name,
          description: draft.description,
          status: draft.status,
          milestones: draft.milestones.map(({ key: _key, ...milestone }) => ({
            ...milestone,
            id: milestone.id ?? null,
            estimated_date: milestone.estimated_date || null,
            actual_date: milestone.actual_date || null,
          })),
          tasks: draft.tasks.map(({ key: _key, ...task }) => ({ ...task, id: task.id ?? null, due_date: task.due_date || null })),
          internal: {
            budget_minor: budget ?? null,
            currency: draft.currency.trim() || null,
            notes: draft.notes,
            owner: draft.owner.trim() || null,
          },
        },
      }),
    );
    announce("Project saved.");
    props.reload();
  });
  const error = (field: string) => problems[field] ?? save.fieldError(field);

  const [ticking, setTicking] = useState<{ task: string; done: boolean }>();
  const tick = useSubmit(async (taskId: string, done: boolean) => {
    setTicking({ task: taskId, done });
    try {
      await call(api.POST("/api/clients/{id}/projects/{project}/tasks/{task}", { params: { path: { id: client.id, project: project.id, task: taskId } }, body: { done } }));
      announce(done ? "Task done." : "Task open again.");
      props.reload();
    } finally {
      setTicking(undefined);
    }
  });

  const updateMilestone = (index: number, change: Partial<MilestoneInput>) => set({ milestones: draft.milestones.map((milestone, at) => (at === index ? { ...milestone, ...change } : milestone)) });
  const updateTask = (index: number, change: Partial<Draft["tasks"][number]>) => set({ tasks: draft.tasks.map((task, at) => (at === index ? { ...task, ...change } : task)) });

  return (
    <Page title={project.name} subtitle={<><Badge tone={status.tone}>{status.text}</Badge> · owner {project.owner_email} · version {project.version}</>}>
      <p class="breadcrumb">
        <a href={clientLink(client, "projects")}>Projects</a> / {project.name}
      </p>
      <ProgressLine project={project} />
      <div class="grid">
        <Card title="Timeline (as the client sees it)">
          <MilestoneTimeline milestones={project.milestones} />
        </Card>
        <Card title="Tasks">
          {project.tasks.length === 0 ? (
            <Empty>No tasks yet.</Empty>
          ) : (
            <ul class="tasks">
              {project.tasks.map((task) => (
                <li key={task.id} class={`task${task.done ? " done" : ""}`}>
                  <label class="task-check">
                    <input type="checkbox" checked={ticking?.task === task.id ? ticking.done : task.done} disabled={ticking?.task === task.id} onChange={(event) => void tick.submit(task.id, (event.currentTarget as HTMLInputElement).checked)} /> {task.title}
                  </label>
                  <span class="muted">
                    {task.assignee === "client" ? "The client" : "The firm"}
                    {task.due_date ? ` · due ${formatDate(task.due_date)}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <ErrorMessage error={tick.error} />
        </Card>
      </div>

      <Card title="Edit the project">
        <Form label="Edit the project" class="stack" onSubmit={() => void save.submit()}>
          <TextField name="name" label="Name" required maxLength={200} value={draft.name} onValue={(name) => set({ name })} error={error("name")} />
          <TextArea name="description" label="Description" hint="The client sees this." maxLength={4000} value={draft.description} onValue={(description) => set({ description })} error={error("description")} />
          <SelectField name="status" label="Status" required options={STATUS_OPTIONS} value={draft.status} onValue={(value) => set({ status: value as Project["status"] })} error={error("status")} />

          <fieldset class="stack">
            <legend>Milestones</legend>
            {draft.milestones.length === 0 && <p class="muted">No milestones.</p>}
            {draft.milestones.map((milestone, index) => (
              <div key={milestone.key} class="row item-row" role="group" aria-label={`Milestone ${index + 1}`}>
                <TextField name={`milestone-title-${index}`} label={`Title of milestone ${index + 1}`} required maxLength={200} value={milestone.title} onValue={(title) => updateMilestone(index, { title })} error={error(`milestones[${index}].title`)} />
                <SelectField name={`milestone-status-${index}`} label="Status" required options={MILESTONE_OPTIONS} value={milestone.status ?? "planned"} onValue={(value) => updateMilestone(index, { status: value as MilestoneInput["status"] })} />
                <TextField type="date" name={`milestone-estimated-${index}`} label="Expected" value={milestone.estimated_date ?? ""} onValue={(estimated_date) => updateMilestone(index, { estimated_date })} error={error(`milestones[${index}].estimated_date`)} />
                <TextField type="date" name={`milestone-actual-${index}`} label="Reached" value={milestone.actual_date ?? ""} onValue={(actual_date) => updateMilestone(index, { actual_date })} error={error(`milestones[${index}].actual_date`)} />
                <Button kind="link" onClick={() => set({ milestones: draft.milestones.filter((_, at) => at !== index) })} aria-label={`Remove milestone ${index + 1}${milestone.title ? `: ${milestone.title}` : ""}`}>
                  Remove
                </Button>
              </div>
            ))}
            <div class="actions">
              <Button kind="secondary" onClick={() => set({ milestones: [...draft.milestones, { key: newKey(), title: "", status: "planned" }] })}>
                Add a milestone
              </Button>
            </div>
          </fieldset>

          <fieldset class="stack">
            <legend>Tasks</legend>
            {draft.tasks.length === 0 && <p class="muted">No tasks.</p>}
            {draft.tasks.map((task, index) => (
              <div key={task.key} class="row item-row" role="group" aria-label={`Task ${index + 1}`}>
                <TextField name={`task-title-${index}`} label={`Title of task ${index + 1}`} required maxLength={200} value={task.title} onValue={(title) => updateTask(index, { title })} error={error(`tasks[${index}].title`)} />
                <SelectField name={`task-assignee-${index}`} label="Who does it" required options={ASSIGNEE_OPTIONS} value={task.assignee} onValue={(value) => updateTask(index, { assignee: value as TaskInput["assignee"] })} />
                <TextField type="date" name={`task-due-${index}`} label="Due" value={task.due_date ?? ""} onValue={(due_date) => updateTask(index, { due_date })} error={error(`tasks[${index}].due_date`)} />
                <Checkbox name={`task-done-${index}`} label="Done" checked={task.done} onChecked={(done) => updateTask(index, { done })} />
                <Button kind="link" onClick={() => set({ tasks: draft.tasks.filter((_, at) => at !== index) })} aria-label={`Remove task ${index + 1}${task.title ? `: ${task.title}` : ""}`}>
                  Remove
                </Button>
              </div>
            ))}
            <div class="actions">
              <Button kind="secondary" onClick={() => set({ tasks: [...draft.tasks, { key: newKey(), title: "", assignee: "client", done: false }] })}>
                Add a task
              </Button>
            </div>
          </fieldset>

          <fieldset class="stack internal">
            <legend>Internal (never shown to the client)</legend>
            <div class="row">
              <TextField name="budget" label="Budget" inputMode="decimal" hint="In the currency below, e.g. 12500.00" value={draft.budget} onValue={(budget) => set({ budget })} error={error("internal.budget_minor")} />
              <TextField name="currency" label="Currency" hint="Three letters, e.g. EUR" maxLength={3} value={draft.currency} onValue={(currency) => set({ currency })} error={error("internal.currency")} />
              <TextField name="owner" label="Internal owner" value={draft.owner} onValue={(owner) => set({ owner })} error={error("internal.owner")} />
            </div>
            <TextArea name="notes" label="Internal notes" maxLength={10000} value={draft.notes} onValue={(notes) => set({ notes })} error={error("internal.notes")} />
          </fieldset>
          <ErrorMessage error={save.formError} />
          {save.error instanceof ApiError && save.error.status === 409 && (
            <p>
              <Button kind="secondary" onClick={props.reload}>
                Reload the project (your changes here are lost)
              </Button>
            </p>
          )}
          <div class="actions">
            <Button type="submit" busy={save.busy}>
              Save the project
            </Button>
            <Button kind="secondary" onClick={() => setDraft(draftOf(project))}>
              Undo changes
            </Button>
          </div>
        </Form>
      </Card>

      <Card title="Messages and internal notes">
        <Thread thread={`project:${project.id}`} clientId={client.id} staff title={`Messages about ${project.name}`} />
      </Card>
    </Page>
  );
}

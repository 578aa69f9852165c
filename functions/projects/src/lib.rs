//! Projects, milestones and tasks. Clients see status, milestones and tasks and tick the tasks
//! assigned to them; the firm's internal fields (budget, notes, internal owner) live in their
//! own item and appear only in staff responses.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod create;
pub mod data;
pub mod get;
pub mod list;
pub mod model;
pub mod task;
pub mod update;

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("projects-create", handler!(create::handle))
        .describe("Creates a project for a client (or the onboarding template).")
        .routes(&[Route::new(Post, "/api/clients/{id}/projects", FIRM)])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE]),
    Operation::http("projects-update", handler!(update::handle))
        .describe("Updates a project, its milestones, tasks and internal fields.")
        .routes(&[Route::new(
            Patch,
            "/api/clients/{id}/projects/{project}",
            FIRM,
        )])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
    Operation::http("projects-list", handler!(list::handle))
        .describe("A client's projects with progress and the next milestone.")
        .routes(&[
            Route::new(Get, "/api/projects", CONTACTS),
            Route::new(Get, "/api/clients/{id}/projects", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ_QUERY]),
    Operation::http("projects-get", handler!(get::handle))
        .describe("One project (with the firm's internal fields for staff).")
        .routes(&[
            Route::new(Get, "/api/projects/{project}", CONTACTS),
            Route::new(Get, "/api/clients/{id}/projects/{project}", FIRM),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_READ]),
    Operation::http("projects-task", handler!(task::handle))
        .describe("Ticks or reopens a project task.")
        .routes(&[
            Route::new(Post, "/api/projects/{project}/tasks/{task}", ACTORS),
            Route::new(
                Post,
                "/api/clients/{id}/projects/{project}/tasks/{task}",
                FIRM,
            ),
        ])
        .grants(&[TENANT_SESSIONS, FIRM_WRITE, SEND_MAIL]),
];

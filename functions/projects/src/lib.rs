//! Projects, milestones and tasks. Clients see status, milestones and tasks and tick the tasks
//! assigned to them; the firm's internal fields (budget, notes, internal owner) live in their
//! own item and appear only in staff responses.

pub mod create;
pub mod get;
pub mod list;
pub mod model;
pub mod task;
pub mod update;

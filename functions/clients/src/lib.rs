//! Client organisations, as the firm's staff see them.

pub mod list;
pub mod onboard;
pub mod pools;
pub mod preview;
pub mod set_mfa;

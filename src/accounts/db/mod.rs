//! SQL of the register and the account's life, one file per part. Scope is
//! part of every query (`scope.rs`).

mod account;
mod addresses;
mod archives;
mod closures;
mod details;
mod incidents;
mod register;
mod scope;
mod start;

pub use account::*;
pub use addresses::*;
pub use archives::*;
pub use closures::*;
pub use details::*;
pub use incidents::*;
pub use register::*;
pub use scope::*;
pub use start::*;

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

pub(crate) use account::*;
pub use addresses::sync_keys;
pub(crate) use addresses::*;
pub(crate) use archives::*;
pub(crate) use closures::*;
pub(crate) use details::*;
pub(crate) use incidents::*;
pub(crate) use register::*;
pub(crate) use scope::*;
pub(crate) use start::*;

//! SQL of the startup form, one file per part: the form and its guarded
//! transitions, its history and signatures, the decision and the register
//! entry made on approval, forms for accounts already in use, and tasks.

mod decision;
mod existing;
mod form;
mod history;
mod tasks;

pub(crate) use decision::*;
pub(crate) use existing::*;
pub(crate) use form::*;
pub(crate) use history::*;
pub(crate) use tasks::*;

// The selects' choices (platforms, units, people) are the organisation's: `org::db`.
pub(crate) use crate::org::db::{Choice, people, platforms, units};

//! SQL of organisations, units, users and role assignments, platforms, and
//! the choices of a select, one file per part.

mod choices;
mod organisations;
mod platforms;
mod units;
mod users;

pub(crate) use choices::*;
pub(crate) use organisations::*;
pub(crate) use platforms::*;
pub(crate) use units::*;
pub(crate) use users::*;

//! SQL of organisations, units, users and role assignments, platforms, and
//! the choices of a select, one file per part.

mod choices;
mod organisations;
mod platforms;
mod units;
mod users;

pub use choices::*;
pub use organisations::*;
pub use platforms::*;
pub use units::*;
pub use users::*;

//! Writes the example account list `examples/kontolista.{xlsx,csv}` from
//! `import::template::EXAMPLE`, the list the demo's communicator imports:
//! `cargo run --example kontolista`.

use kontoregister::import::template::{EXAMPLE, csv_of, xlsx_of};

fn main() -> anyhow::Result<()> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    std::fs::write(format!("{dir}/kontolista.xlsx"), xlsx_of(&EXAMPLE)?)?;
    std::fs::write(format!("{dir}/kontolista.csv"), csv_of(&EXAMPLE))?;
    println!("{dir}/kontolista.xlsx and .csv written");
    Ok(())
}

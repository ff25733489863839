//! Writes the example account list `examples/kontolista.{xlsx,csv}` from
//! `import::template::EXAMPLE`, the list the demo's communicator imports:
//! `cargo run --example kontolista`.
//!
//! With a row count and a folder (`kontolista 5000 /tmp`) it writes a large
//! list `lista-5000.{xlsx,csv}` of made-up Östermalm accounts instead, for
//! `bench/run.sh` to measure the import's preview.

use kontoregister::import::template::{EXAMPLE, csv_of, xlsx_of};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [rows, dir] = &args[..] {
        let n: usize = rows.parse()?;
        let units = ["Förskola", "Äldreomsorg", "Kultur och fritid", "Stadsmiljö"];
        let platforms = ["Instagram", "Facebook", "X", "YouTube"];
        let owned: Vec<[String; 12]> = (0..n)
            .map(|i| {
                let p = platforms[i % platforms.len()];
                let url = match p {
                    "Instagram" => format!("https://www.instagram.com/bench_konto_{i}"),
                    "Facebook" => format!("https://www.facebook.com/bench.konto.{i}"),
                    "X" => format!("https://x.com/bench_konto_{i}"),
                    _ => format!("https://www.youtube.com/@benchkonto{i}"),
                };
                [
                    p.to_string(),
                    format!("Konto {i}"),
                    url,
                    units[i % units.len()].to_string(),
                    "Oskar Ägare".into(),
                    "agare@example.se".into(),
                    format!("{}-{:02}-01", 2012 + i % 12, 1 + i % 12),
                    "Information till invånarna".into(),
                    "Boende på Östermalm".into(),
                    "Aktivt".into(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect();
        // The writers take static rows: leak the generated ones for this one-off program.
        let rows: Vec<[&'static str; 12]> =
            owned.into_iter().map(|r| r.map(|c| &*Box::leak(c.into_boxed_str()))).collect();
        std::fs::write(format!("{dir}/lista-{n}.xlsx"), xlsx_of(&rows)?)?;
        std::fs::write(format!("{dir}/lista-{n}.csv"), csv_of(&rows))?;
        println!("{dir}/lista-{n}.xlsx and .csv written");
        return Ok(());
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    std::fs::write(format!("{dir}/kontolista.xlsx"), xlsx_of(&EXAMPLE)?)?;
    std::fs::write(format!("{dir}/kontolista.csv"), csv_of(&EXAMPLE))?;
    println!("{dir}/kontolista.xlsx and .csv written");
    Ok(())
}

//! The floor for the benchmark: count the records of a CSV file with the csv crate and
//! nothing else (one reused `ByteRecord`, no parsing of cells).
//!
//! cargo run --release --example count_records -- FILE.csv

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: count_records FILE.csv");
        return ExitCode::from(2);
    };
    let mut reader = match csv::ReaderBuilder::new().from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut record = csv::ByteRecord::new();
    let mut count = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => count += 1,
            Ok(false) => break,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("{count}");
    ExitCode::SUCCESS
}

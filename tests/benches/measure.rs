//! The measurements of docs/performance.md at full size, each printing its markdown block:
//! `cargo bench -p oncall-e2e --bench measure -- ack|drain|store` (what `scripts/measure` runs;
//! set `ONCALL_BIN` to a release `oncall` for the CLI's figures).

use std::time::Duration;

use oncall_e2e::measure::{ack, drain, store};

fn main() {
    let parts: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    assert!(!parts.is_empty(), "name a part: ack, drain or store");
    for part in parts {
        let dir = tempfile::tempdir().expect("dir");
        let markdown = match part.as_str() {
            "store" => store::measure(
                dir.path(),
                store::StoreSize {
                    saves: 2000,
                    incidents: 100_000,
                    queries: 300,
                },
            )
            .markdown(),
            "ack" => ack::measure(dir.path(), Duration::from_millis(50), 40).markdown(),
            "drain" => drain::measure(
                dir.path(),
                drain::Backlog {
                    incidents: 1000,
                    notes: 9,
                },
                200.0,
                Duration::from_millis(20),
            )
            .markdown(),
            other => panic!("no part {other}: ack, drain or store"),
        };
        print!("{markdown}");
    }
}

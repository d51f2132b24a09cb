//! The tour: chapterhouse over the bundled sample network, section by section.
//!
//! Run it with `cargo run -p chapterhouse-examples --bin tour`.

mod access;
mod health;
mod network;
mod territory;
mod triage;

use chapterhouse::Network;

/// A tour section: renders its part of the tour for the sample network.
type Section = fn(&Network) -> String;

/// The sample network every example uses (see `scripts/sample/`).
const SAMPLE: &str = include_str!("../data/network.json");

fn main() -> std::process::ExitCode {
    let net = match Network::from_json(SAMPLE) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("the bundled sample network did not load: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let sections: [(&str, Section); 5] = [
        ("The network", network::section),
        ("Which chapter covers this place?", territory::section),
        ("May this person do this, here?", access::section),
        ("Group health", health::section),
        ("Today's review queue", triage::section),
    ];
    for (title, section) in sections {
        println!("\n{title}\n{}\n", "=".repeat(title.chars().count()));
        print!("{}", section(&net));
    }
    std::process::ExitCode::SUCCESS
}

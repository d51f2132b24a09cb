//! Any bytes into the snapshot loader: an error or a network that saves and
//! loads back to the same bytes; never a panic.
#![no_main]

use chapterhouse::Network;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(net) = Network::from_json(text) {
        net.check_invariants().unwrap();
        let saved = net.to_json();
        let again = Network::from_json(&saved).expect("a saved snapshot loads");
        assert_eq!(again.to_json(), saved, "save is canonical");
    }
});

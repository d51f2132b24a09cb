//! `Network`: a chapter network loaded from a `chapterhouse/1` snapshot.

use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::error::JsFailure;

/// A chapter network: the organization, its regions and chapters.
#[wasm_bindgen]
pub struct Network(chapterhouse::Network);

#[wasm_bindgen]
impl Network {
    /// Loads a network from a `chapterhouse/1` snapshot (JSON text).
    ///
    /// Throws a `ChapterhouseError` with `code` `"parse"` for malformed JSON
    /// (the message gives the JSON path, line and column),
    /// `"unsupported_version"` for another format, or the code of the rule a
    /// node breaks.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(json: &str) -> Result<Network, JsValue> {
        Ok(Network(
            chapterhouse::Network::from_json(json).map_err(JsFailure::from)?,
        ))
    }

    /// Saves the network as a canonical `chapterhouse/1` snapshot.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The number of nodes, the organization included.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a network has at least its organization.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Only success paths run natively: building a JS value needs a JS host,
    // so errors are tested in node (bindings-wasm/tests).
    const SNAPSHOT: &str = r#"{"format":"chapterhouse/1","organization":{"id":"org","name":"Org","slug":"org","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"},"nodes":[]}"#;

    #[test]
    fn loads_and_saves_through_the_core() {
        let Ok(net) = Network::from_json(SNAPSHOT) else {
            panic!("the snapshot should load")
        };
        assert_eq!(net.len(), 1);
        assert_eq!(
            net.to_json(),
            chapterhouse::Network::from_json(SNAPSHOT)
                .unwrap()
                .to_json()
        );
    }
}

//! The JSON encoding of every server function's answer and error.
//!
//! The same as `server_fn`'s `Json`, except that the browser reads an answer as text
//! (`serde_json::from_str`), as a resource reads its value from the server-rendered page. One
//! reader means one copy of each type's deserializer in the wasm instead of two (a quarter of
//! the Mini App's code was deserializers, every one of them twice).

use leptos::server_fn::codec::Post;
use leptos::server_fn::{ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub struct JsonText;

/// A server function's answer (and its error) as JSON: `#[server(output = crate::codec::Json)]`.
pub type Json = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<leptos::server_fn::Bytes, Self::Error> {
        serde_json::to_vec(output).map(leptos::server_fn::Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: leptos::server_fn::Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_back_and_bad_bytes_are_an_error() {
        let bytes = <JsonText as Encodes<_>>::encode(&vec![("a", 1)]).unwrap();
        let back: Vec<(String, i32)> = <JsonText as Decodes<_>>::decode(bytes).unwrap();
        assert_eq!(back, vec![("a".to_owned(), 1)]);
        let bad = leptos::server_fn::Bytes::from_static(b"\"\xff\"");
        assert!(<JsonText as Decodes<String>>::decode(bad).is_err());
    }
}

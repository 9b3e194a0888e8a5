//! File upload to `/api/uploads`, and reading or downloading files in the browser.

use crate::domain::upload::UploadKind;
use crate::i18n::{Msg, use_lang, use_t};
use leptos::prelude::*;
use serde::Deserialize;

/// What the server answers for a stored upload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Uploaded {
    pub url: String,
    pub name: String,
}

#[cfg(feature = "hydrate")]
#[derive(Deserialize)]
struct UploadError {
    message: String,
}

/// A file picker that uploads the chosen file at once and reports its URL.
#[component]
pub fn FileUpload(
    kind: UploadKind,
    label: Msg,
    on_uploaded: Callback<Uploaded>,
    #[prop(optional)] test_id: Option<&'static str>,
) -> impl IntoView {
    let t = use_t();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = format!("upload-{}-{}", kind.as_str(), test_id.unwrap_or("x"));
    let lang = use_lang();
    let on_change = move |ev: leptos::ev::Event| {
        let _ = lang;
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                match post_file(kind, &file, lang).await {
                    Ok(u) => on_uploaded.run(u),
                    Err(m) => error.set(Some(m)),
                }
                busy.set(false);
                input.set_value("");
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, on_uploaded);
    };
    view! {
        <div class="field upload">
            <label for=id.clone() class="btn btn-secondary" aria-busy=move || busy.get().then_some("true")>
                {move || if busy.get() { t(Msg::Uploading) } else { t(label) }}
            </label>
            <input
                id=id
                type="file"
                class="visually-hidden"
                data-testid=test_id
                accept=match kind {
                    UploadKind::Image => "image/png,image/jpeg,image/gif,image/webp",
                    UploadKind::Video => "video/mp4,video/webm",
                    UploadKind::File => ".pdf,.docx,.xlsx,.pptx,.zip,.txt,.csv",
                }
                on:change=on_change
            />
            <p class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
async fn post_file(
    kind: UploadKind,
    file: &web_sys::File,
    lang: crate::i18n::Lang,
) -> Result<Uploaded, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let network = || Msg::ErrNetwork.text(lang).to_owned();
    let form = web_sys::FormData::new().map_err(|_| network())?;
    form.append_with_str("kind", kind.as_str())
        .map_err(|_| network())?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| network())?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&form);
    let resp = JsFuture::from(window().fetch_with_str_and_init("/api/uploads", &init))
        .await
        .map_err(|_| network())?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| network())?;
    let text = JsFuture::from(resp.text().map_err(|_| network())?)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if resp.ok() {
        serde_json::from_str(&text).map_err(|_| network())
    } else {
        Err(serde_json::from_str::<UploadError>(&text)
            .map(|e| e.message)
            .unwrap_or_else(|_| network()))
    }
}

/// Reads a chosen file as text (for imports).
#[cfg(feature = "hydrate")]
pub async fn read_text(file: &web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?
        .as_string()
}

/// Offers `content` as a file download.
pub fn download(name: &str, mime: &str, content: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        if let Some(a) = document()
            .create_element("a")
            .ok()
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, mime, content);
}

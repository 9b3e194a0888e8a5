//! The browser entry point: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // As `leptos::mount::hydrate_lazy`, which waits for the chunks of the page's lazy routes
    // before hydrating them; the page counts as live only once that is done, so the mark that
    // end-to-end tests wait for comes after the lazy page's handlers are attached.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("a page has a body");
        let handle = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        handle.forget();
        if let Err(e) = body.set_attribute("data-hydrated", "true") {
            leptos::logging::error!("could not mark the page hydrated: {e:?}");
        }
    });
}

//! Routes whose page is loaded on demand: built with `cargo leptos --split`, a page's code (and
//! what only such pages use) is cut out of the main wasm into its own chunk, fetched when the
//! page is first shown. Without `--split` they are ordinary routes.

/// Declares a lazy route per page: one that renders the component and loads no data of its
/// own (the page's resources start when it renders, as they would on an ordinary route).
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[::leptos_router::lazy_route]
        impl ::leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> ::leptos::prelude::AnyView {
                use ::leptos::prelude::IntoAny;
                ::leptos::prelude::view! { <$page /> }.into_any()
            }
        }
    )*};
}

pub(crate) use lazy_pages;

//! Fangxin's pages, components and server functions.
//!
//! Compiled twice: with `ssr` into the server (rendering HTML, running server
//! functions against the store) and with `hydrate` into the browser's WASM.
//! Code is split by capability; each module holds its pages and the server
//! functions they call.

pub mod errors;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod not_found;
pub mod portal;
#[cfg(feature = "ssr")]
pub mod state;

use i18n::{initial_locale, I18n};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, Link, Meta, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document the server sends; the browser hydrates `<App/>` inside it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#b4232a"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options=options.clone()/>
                <leptos_meta::HashedStylesheet options id="leptos"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = RwSignal::new(initial_locale());
    provide_context(I18n(locale));
    mark_hydrated();

    view! {
        <Html {..} lang=move || locale.get().tag()/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="color-scheme" content="light"/>
        <Router>
            <layout::Layout>
                <Routes fallback=not_found::NotFound>
                    <Route path=path!("/") view=portal::home::HomePage ssr=SsrMode::Async/>
                </Routes>
            </layout::Layout>
        </Router>
    }
}

/// Marks `<body data-hydrated="true">` once the WASM runs: tests and styles can tell
/// a live page from a server-rendered one. Effects never run on the server.
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

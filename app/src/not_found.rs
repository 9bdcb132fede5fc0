//! The 404 page, with a real 404 status when rendered on the server.

use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <Title text=move || format!("{} · {}", Msg::NotFoundTitle.text(locale.get()), Msg::AppName.text(locale.get()))/>
        <section class="not-found">
            <p class="not-found__code" aria-hidden="true">"404"</p>
            <h1>{t(Msg::NotFoundTitle)}</h1>
            <p>{t(Msg::NotFoundText)}</p>
            <a class="button" href="/">{t(Msg::BackHome)}</a>
        </section>
    }
}

//! What search engines and link previews read on a public page: the title, the
//! description, the canonical address and the Open Graph tags, in the page's language.

use crate::i18n::{use_locale, Msg};
use crate::layout::Title;
use leptos::prelude::*;
use leptos_meta::{Link, Meta};

/// A text in both languages, Chinese first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Both(pub String, pub String);

impl From<(&str, &str)> for Both {
    fn from((zh, en): (&str, &str)) -> Both {
        Both(zh.into(), en.into())
    }
}

impl From<(String, String)> for Both {
    fn from((zh, en): (String, String)) -> Both {
        Both(zh, en)
    }
}

/// The site's own address as the visitor reached it. The server takes it from the request
/// (or `FANGXIN_PUBLIC_URL`); the browser from its location.
fn origin() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::portal::plaque::public_origin()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        String::new()
    }
}

#[component]
pub fn PublicMeta(
    #[prop(into)] title: Both,
    #[prop(into)] description: Both,
    /// The page's path (and query, where it names the content), from the site's root.
    #[prop(into)]
    path: String,
    #[prop(optional)] noindex: bool,
) -> impl IntoView {
    let locale = use_locale();
    let url = format!("{}{path}", origin());
    let Both(tzh, ten) = title;
    let Both(dzh, den) = description;
    let full_title = move || {
        let l = locale.get();
        format!("{} · {}", l.pick(&tzh, &ten), Msg::AppName.text(l))
    };
    let text = move || locale.get().pick(&dzh, &den).to_string();
    let og_locale = move || locale.get().pick("zh_CN", "en_GB");
    view! {
        <Title text=full_title.clone()/>
        {(!noindex).then(|| view! {
            <Meta name="description" content=text.clone()/>
            <Link rel="canonical" href=url.clone()/>
            <Meta property="og:type" content="website"/>
            <Meta property="og:site_name" content=move || Msg::AppName.text(locale.get())/>
            <Meta property="og:title" content=full_title/>
            <Meta property="og:description" content=text/>
            <Meta property="og:url" content=url/>
            <Meta property="og:locale" content=og_locale/>
        })}
        {noindex.then(|| view! { <Meta name="robots" content="noindex"/> })}
    }
}

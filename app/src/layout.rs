//! The frame around every page: header with the language switch, main, footer.

use crate::accounts::{whoami, Logout};
use crate::i18n::{store_locale_cookie, t, use_locale, Msg};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
        <Header/>
        <main id="main" class="main" tabindex="-1">{children()}</main>
        <Footer/>
    }
}

#[component]
fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"放心"</span>
                    <span class="brand__text">
                        <span class="brand__name">{t(Msg::AppName)}</span>
                        <span class="brand__tagline">{t(Msg::AppTagline)}</span>
                    </span>
                </a>
                <nav class="site-nav" aria-label="main">
                    <a href="/" class="site-nav__home">{t(Msg::NavHome)}</a>
                    <a href="/units">{t(Msg::NavDirectory)}</a>
                    <a href="/indicators">{t(Msg::NavIndicators)}</a>
                    <a href="/complain">{t(Msg::NavComplain)}</a>
                    <AccountLinks/>
                    <LanguageSwitch/>
                </nav>
            </div>
        </header>
    }
}

/// Sign in / register, or the account and sign out, depending on the session.
#[component]
fn AccountLinks() -> impl IntoView {
    // Signing in or out ends in a navigation: ask again on every page change.
    let location = use_location();
    let me = Resource::new_blocking(move || location.pathname.get(), |_| whoami());
    let logout = ServerAction::<Logout>::new();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! {
                        // A session still owing a sign-in step can only finish it or leave.
                        {(user.stage == crate::accounts::Stage::Full).then(|| view! {
                            {role_link(user.role)}
                            <a href="/account" data-testid="nav-account">{t(Msg::NavAccount)}</a>
                        })}
                        <ActionForm action=logout attr:class="site-nav__form">
                            <button type="submit" class="site-nav__button" data-testid="nav-logout">{t(Msg::NavLogout)}</button>
                        </ActionForm>
                    }.into_any(),
                    _ => view! {
                        <a href="/login" data-testid="nav-login">{t(Msg::NavLogin)}</a>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The working page of each role, where it has one yet.
fn role_link(role: domain::Role) -> impl IntoView {
    use domain::Role::*;
    let links: &[(&str, Msg)] = match role {
        SystemAdmin => &[("/admin/users", Msg::NavUsers)],
        AuditAdmin => &[("/audit", Msg::NavAudit)],
        SecurityAdmin => &[("/security", Msg::NavSecurity)],
        TownshipReviewer => &[
            ("/dashboard", Msg::NavDashboard),
            ("/review", Msg::NavTownshipReview),
            ("/complaints", Msg::NavComplaints),
            ("/organisations", Msg::NavOrganisations),
            ("/inbox", Msg::NavInbox),
        ],
        CountyOffice => &[
            ("/dashboard", Msg::NavDashboard),
            ("/batches", Msg::NavBatches),
            ("/panel", Msg::NavPanel),
            ("/notices", Msg::NavNotices),
            ("/recognitions", Msg::NavRecognitions),
            ("/complaints", Msg::NavComplaints),
            ("/inbox", Msg::NavInbox),
        ],
        PanelMember => &[("/scoring", Msg::NavScoring), ("/inbox", Msg::NavInbox)],
        Leader => &[
            ("/dashboard", Msg::NavDashboard),
            ("/complaints", Msg::NavComplaints),
            ("/organisations", Msg::NavOrganisations),
        ],
        Applicant => &[
            ("/apply", Msg::NavApplications),
            ("/desk", Msg::NavDesk),
            ("/inbox", Msg::NavInbox),
        ],
        _ => &[],
    };
    links
        .iter()
        .map(|(href, msg)| view! { <a href=*href>{t(*msg)}</a> })
        .collect_view()
}

/// A plain link to `/lang/{tag}` that works without JavaScript (the server sets the
/// cookie and redirects back); once hydrated, a click switches in place.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    let location = use_location();
    let href = move || {
        // Come back to the same page with the same query (category, filters …).
        let search = location.search.get();
        let next = match search.as_str() {
            "" | "?" => location.pathname.get(),
            q if q.starts_with('?') => format!("{}{q}", location.pathname.get()),
            q => format!("{}?{q}", location.pathname.get()),
        };
        format!(
            "/lang/{}?next={}",
            locale.get().other().tag(),
            urlencode_path(&next)
        )
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let next = locale.get_untracked().other();
        store_locale_cookie(next);
        locale.set(next);
    };
    view! {
        <a
            class="lang-switch"
            href=href
            on:click=on_click
            hreflang=move || locale.get().other().tag()
            aria-label=t(Msg::SwitchLanguageLabel)
            data-testid="lang-switch"
        >
            {t(Msg::SwitchLanguage)}
        </a>
    }
}

/// Percent-encodes what a path may hold that a query value may not.
pub fn urlencode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>{t(Msg::FooterOffice)}</p>
            <p class="site-footer__plan">{t(Msg::FooterPlan)}</p>
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::urlencode_path;

    #[test]
    fn encodes_query_breaking_characters() {
        assert_eq!(urlencode_path("/a/b"), "/a/b");
        assert_eq!(urlencode_path("/a?x=1&y"), "/a%3Fx%3D1%26y");
        assert_eq!(urlencode_path("/中"), "/%E4%B8%AD");
    }
}

/// The page's `<title>`. On the server its text is worked out once, when the page is
/// built: leptos_meta reads the title only after the render, outside the request's
/// reactive arena, and a signal read there can land on another request's arena under
/// load and panic (about 2 % of directory pages at 1 300 req/s, found by `fangxin
/// bench-http`). In the browser it follows the language switch as before.
#[component]
pub fn Title<F, T>(text: F) -> impl IntoView
where
    F: Fn() -> T + Send + Sync + 'static,
    T: Into<String>,
{
    #[cfg(feature = "ssr")]
    let text = leptos::text_prop::TextProp::from(untrack(text).into());
    #[cfg(not(feature = "ssr"))]
    let text = leptos::text_prop::TextProp::from(move || text().into());
    view! { <leptos_meta::Title text=text/> }
}

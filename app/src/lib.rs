//! Fangxin's pages, components and server functions.
//!
//! Compiled twice: with `ssr` into the server (rendering HTML, running server
//! functions against the store) and with `hydrate` into the browser's WASM.
//! Code is split by capability; each module holds its pages and the server
//! functions they call.

#![recursion_limit = "512"]

pub mod accounts;
pub mod applications;
pub mod complaints;
pub mod dashboard;
#[cfg(feature = "hydrate")]
pub mod early_input;
pub mod errors;
pub mod format;
pub mod forms;
pub mod i18n;
pub mod layout;
pub mod not_found;
pub mod notes;
pub mod policy;
pub mod portal;
pub mod review;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod usecases;

use i18n::{initial_locale, I18n};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, Link, Meta, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

/// Declares a page whose code lives in its own WASM chunk, fetched when the page is
/// first shown: public pages do not pay for staff pages (`cargo leptos build --split`).
macro_rules! lazy_page {
    ($($name:ident => $component:path),* $(,)?) => {
        $(
            #[derive(Clone)]
            pub struct $name;

            #[leptos_router::lazy_route]
            impl leptos_router::LazyRoute for $name {
                fn data() -> Self {
                    $name
                }

                fn view(_this: Self) -> AnyView {
                    $component().into_any()
                }
            }
        )*
    };
}

lazy_page! {
    LoginRoute => accounts::pages::LoginPage,
    TotpVerifyRoute => accounts::pages::TotpVerifyPage,
    RegisterRoute => accounts::pages::RegisterPage,
    AccountRoute => accounts::pages::AccountPage,
    ChangePasswordRoute => accounts::pages::ChangePasswordPage,
    TotpEnrolRoute => accounts::pages::TotpEnrolPage,
    UsersRoute => accounts::admin::UsersPage,
    AuditRoute => accounts::audit_view::AuditPage,
    SecurityRoute => accounts::security::SecurityPage,
    OrganisationsRoute => accounts::organisations::OrganisationsPage,
    OrganisationRoute => accounts::organisations::OrganisationPage,
    IndicatorsRoute => portal::indicators::IndicatorsPage,
    IndicatorEditorRoute => review::indicator_sets::IndicatorEditorPage,
    ApplicationsRoute => applications::list::ApplicationsPage,
    WizardRoute => applications::wizard::WizardPage,
    TownshipQueueRoute => review::township::TownshipQueuePage,
    TownshipReviewRoute => review::township::TownshipReviewPage,
    BatchesRoute => review::batches::BatchesPage,
    PanelRoute => review::panel::PanelPage,
    MyAssignmentsRoute => review::panel::MyAssignmentsPage,
    ScoringRoute => review::panel::ScoringPage,
    NoticeDeskRoute => review::notices::NoticeDeskPage,
    NoticeAdminRoute => review::notices::NoticeAdminPage,
    RecognitionRegisterRoute => review::recognitions::RegisterPage,
    RectificationRoute => applications::rectification::RectificationPage,
    InboxRoute => accounts::inbox::InboxPage,
    PublicNoticesRoute => portal::notices::PublicNoticesPage,
    PublicNoticeRoute => portal::notices::PublicNoticePage,
    VerifyRoute => portal::plaque::VerifyPage,
    CertificateRoute => portal::plaque::CertificatePage,
    RevocationsRoute => portal::notices::RevocationsPage,
    DirectoryRoute => portal::directory::DirectoryPage,
    UnitRoute => portal::unit::UnitPage,
    ComplainRoute => complaints::public::ComplainPage,
    TrackRoute => complaints::public::TrackPage,
    TrackedRoute => complaints::public::TrackedPage,
    RateRoute => complaints::public::RatePage,
    DeskRoute => complaints::desk::DeskPage,
    ComplaintsRoute => complaints::staff::ComplaintsPage,
    ComplaintCaseRoute => complaints::staff::ComplaintCasePage,
    ComplaintEntryRoute => complaints::staff::ComplaintEntryPage,
    ComplaintImportRoute => complaints::staff::ComplaintImportPage,
    DashboardRoute => dashboard::page::DashboardPage,
    WallRoute => dashboard::page::WallPage,
}

/// The HTML document the server sends; the browser hydrates `<App/>` inside it, except
/// on a public portal page for a visitor who is not signed in (`static_page`).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let static_page = static_page();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#b4232a"/>
                {(!static_page).then(|| view! {
                    <AutoReload options=options.clone()/>
                    <HydrationScripts options=options.clone()/>
                })}
                <leptos_meta::HashedStylesheet options id="leptos"/>
                <MetaTags/>
            </head>
            <body data-static=static_page.then_some("true")>
                <App/>
            </body>
        </html>
    }
}

/// Public portal pages (`portal_page`) are complete server-rendered HTML whose forms and
/// links work without JavaScript, so a visitor who is not signed in (a consumer who
/// scanned a plaque, on a phone and a slow connection) gets them without the WASM: no
/// download, nothing to compile. Signed-in users keep the hydrated app everywhere.
fn static_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|p| {
            p.extensions.get::<accounts::CurrentUser>().is_none() && portal_page(p.uri.path())
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The public portal's pages, by path.
pub fn portal_page(path: &str) -> bool {
    const EXACT: [&str; 7] = [
        "/",
        "/units",
        "/indicators",
        "/notice",
        "/revocations",
        "/complain",
        "/track",
    ];
    // Each followed by one segment: an id, a token or a tracking code.
    const ONE_BELOW: [&str; 6] = [
        "/units/",
        "/notice/",
        "/verify/",
        "/certificate/",
        "/track/",
        "/rate/",
    ];
    EXACT.contains(&path)
        || ONE_BELOW.iter().any(|p| {
            path.strip_prefix(p)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        })
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = RwSignal::new(initial_locale());
    provide_context(I18n(locale));
    // On the server the language is fixed when the page is built, as the title is
    // (`layout::Title` says why); in the browser it follows the language switch.
    #[cfg(feature = "ssr")]
    let html_lang = {
        let tag = locale.get_untracked().tag();
        move || tag
    };
    #[cfg(not(feature = "ssr"))]
    let html_lang = move || locale.get().tag();

    view! {
        <Html {..} lang=html_lang/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="color-scheme" content="light"/>
        <Router>
            <layout::Layout>
                <Routes fallback=not_found::NotFound>
                    <Route path=path!("/") view=portal::home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/indicators") view={Lazy::<IndicatorsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/indicators/edit") view={Lazy::<IndicatorEditorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                    <Route path=path!("/login/totp") view={Lazy::<TotpVerifyRoute>::new()}/>
                    <Route path=path!("/register") view={Lazy::<RegisterRoute>::new()}/>
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account/password") view={Lazy::<ChangePasswordRoute>::new()}/>
                    <Route path=path!("/account/totp") view={Lazy::<TotpEnrolRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/apply") view={Lazy::<ApplicationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/apply/:id/:step") view={Lazy::<WizardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/batches") view={Lazy::<BatchesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/review") view={Lazy::<TownshipQueueRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/review/:id") view={Lazy::<TownshipReviewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view={Lazy::<UsersRoute>::new()}/>
                    <Route path=path!("/audit") view={Lazy::<AuditRoute>::new()}/>
                    <Route path=path!("/security") view={Lazy::<SecurityRoute>::new()}/>
                    <Route path=path!("/organisations") view={Lazy::<OrganisationsRoute>::new()}/>
                    <Route path=path!("/organisations/:id") view={Lazy::<OrganisationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/panel") view={Lazy::<PanelRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/scoring") view={Lazy::<MyAssignmentsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/scoring/:id") view={Lazy::<ScoringRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/notices") view={Lazy::<NoticeDeskRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/notices/:id") view={Lazy::<NoticeAdminRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/recognitions") view={Lazy::<RecognitionRegisterRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/rectification/:id") view={Lazy::<RectificationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/inbox") view={Lazy::<InboxRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/notice") view={Lazy::<PublicNoticesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/notice/:id") view={Lazy::<PublicNoticeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/verify/:token") view={Lazy::<VerifyRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/certificate/:token") view={Lazy::<CertificateRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/revocations") view={Lazy::<RevocationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/units") view={Lazy::<DirectoryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/units/:id") view={Lazy::<UnitRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/complain") view={Lazy::<ComplainRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/track") view={Lazy::<TrackRoute>::new()}/>
                    <Route path=path!("/track/:code") view={Lazy::<TrackedRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/rate/:token") view={Lazy::<RateRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/desk") view={Lazy::<DeskRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/complaints") view={Lazy::<ComplaintsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/complaints/new") view={Lazy::<ComplaintEntryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/complaints/import") view={Lazy::<ComplaintImportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/complaints/case/:id") view={Lazy::<ComplaintCaseRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view={Lazy::<DashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/wall") view={Lazy::<WallRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </layout::Layout>
        </Router>
    }
}

/// Hydrates the server-rendered page (the browser's entry point calls it). What was typed
/// while the WASM loaded is given back to its fields afterwards (`early_input`), and then
/// `<body data-hydrated="true">` tells tests and styles that the page is live.
#[cfg(feature = "hydrate")]
pub fn hydrate_page() {
    let Some(body) = document().body() else {
        return;
    };
    let early = early_input::EarlyInput::start();
    // An error here only means the executor already runs.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async move {
        // Lazy routes: the chunk of the page being shown loads before hydration ends.
        let owner = leptos::mount::hydrate_from_async(body, App).await;
        early.restore().await;
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        owner.forget();
    });
}

/// The nonce of a page's inline scripts, chosen by the server for each request before
/// rendering (server/src/http.rs `page_csp`), so the CSP header and the scripts always
/// agree whatever the renderer does.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct PageNonce(pub String);

/// The page's CSP: scripts only from this site or carrying this response's nonce (the
/// inline hydration script), WASM compilation allowed, no framing.
#[cfg(feature = "ssr")]
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

/// Hands the request's nonce to the renderer (call in the server's context closure).
#[cfg(feature = "ssr")]
pub fn provide_page_nonce() {
    if let Some(n) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<PageNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(n.0));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_portal_pages_are_the_public_ones_only() {
        for p in [
            "/",
            "/units",
            "/units/7",
            "/indicators",
            "/notice",
            "/notice/3",
            "/verify/0123abcd",
            "/certificate/0123abcd",
            "/revocations",
            "/complain",
            "/track",
            "/track/TS12345",
            "/rate/abc",
        ] {
            assert!(super::portal_page(p), "{p}");
        }
        for p in [
            "/login",
            "/register",
            "/indicators/edit",
            "/notices",
            "/notices/3",
            "/units/",
            "/units/7/edit",
            "/apply",
            "/dashboard",
            "/complaints",
            "/desk",
        ] {
            assert!(!super::portal_page(p), "{p}");
        }
    }
}

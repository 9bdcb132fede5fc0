//! Applicants registered in the staff member's area. A township reviewer sees their
//! township only; opening another township's applicant is refused. Mobile numbers are
//! masked; showing one in full is an audited action.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
#[cfg(feature = "ssr")]
use domain::Role;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub category: String,
    pub area_zh: String,
    pub area_en: String,
    pub contact_name: String,
    pub mobile: String,
    pub mobile_masked: bool,
    pub registered: String,
}

#[cfg(feature = "ssr")]
async fn view_of(
    store: &store::Store,
    o: store::accounts::Organisation,
    unmask: bool,
) -> Result<OrganisationView, AppError> {
    let area = store.area(&o.area_code).await?;
    let mobile = domain::account::Mobile::parse(&o.contact_mobile)
        .map(|m| {
            if unmask {
                m.as_str().to_string()
            } else {
                m.masked()
            }
        })
        .unwrap_or_default();
    Ok(OrganisationView {
        id: o.id,
        credit_code: o.credit_code,
        name: o.name,
        category: o.category_code,
        area_zh: area.as_ref().map(|a| a.name_zh.clone()).unwrap_or_default(),
        area_en: area.map(|a| a.name_en).unwrap_or_default(),
        contact_name: o.contact_name,
        mobile,
        mobile_masked: !unmask,
        registered: o.created_at.chars().take(10).collect(),
    })
}

#[cfg(feature = "ssr")]
const STAFF_WHO_SEE_APPLICANTS: &[Role] =
    &[Role::TownshipReviewer, Role::CountyOffice, Role::Leader];

#[server(prefix = "/api", endpoint = "organisations")]
pub async fn organisations() -> Result<Vec<OrganisationView>, AppError> {
    let user = crate::accounts::session::require_role(STAFF_WHO_SEE_APPLICANTS)?;
    let store = crate::state::store()?;
    let mut out = Vec::new();
    for o in store.organisations_under(&user.area_code).await? {
        out.push(view_of(&store, o, false).await?);
    }
    Ok(out)
}

#[server(prefix = "/api", endpoint = "organisation")]
pub async fn organisation(id: i64, unmask: bool) -> Result<OrganisationView, AppError> {
    use crate::accounts::session::{audit, require_role};
    let user = require_role(STAFF_WHO_SEE_APPLICANTS)?;
    let store = crate::state::store()?;
    let org = store.organisation(id).await?.ok_or(AppError::NotFound)?;
    let (Ok(scope), Ok(target)) = (
        domain::AreaCode::parse(&user.area_code),
        domain::AreaCode::parse(&org.area_code),
    ) else {
        return Err(AppError::Forbidden);
    };
    if !domain::role::in_scope(&scope, &target) {
        audit(
            Some(&user),
            "access.denied",
            &format!("organisation/{id}"),
            "outside the user's area",
        )
        .await?;
        return Err(AppError::Forbidden);
    }
    if unmask {
        audit(
            Some(&user),
            "personal_data.unmask",
            &format!("organisation/{id}"),
            "contact mobile shown in full",
        )
        .await?;
    }
    view_of(&store, org, unmask).await
}

fn category_name(code: &str, locale: domain::Locale) -> String {
    domain::Category::parse(code)
        .map(|c| {
            let (zh, en) = c.name();
            locale.pick(zh, en).to_string()
        })
        .unwrap_or_else(|| code.to_string())
}

#[component]
pub fn OrganisationsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| organisations());
    let locale = use_locale();
    view! {
        <Title text=move || format!("{} · {}", Msg::OrganisationsTitle.text(locale.get()), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{t(Msg::OrganisationsTitle)}</h1>
            <p class="panel__lead">{t(Msg::OrganisationsLead)}</p>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p>{t(Msg::NoEntries)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap" tabindex="0">
                            <table class="table" data-testid="organisations-table">
                                <thead><tr>
                                    <th>{t(Msg::ColumnName)}</th><th>{t(Msg::ColumnCategory)}</th>
                                    <th>{t(Msg::ColumnArea)}</th><th>{t(Msg::ColumnMobile)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|o| {
                                        let category = o.category.clone();
                                        view! {
                                            <tr>
                                                <td><a href=format!("/organisations/{}", o.id)>{o.name.clone()}</a></td>
                                                <td>{move || category_name(&category, locale.get())}</td>
                                                <td>{crate::i18n::pick(o.area_zh.clone(), o.area_en.clone())}</td>
                                                <td>{o.mobile.clone()}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn OrganisationPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let unmask = move || query.with(|q| q.get("unmask").is_some_and(|v| v == "1"));
    let org = Resource::new_blocking(
        move || (id(), unmask()),
        |(id, unmask)| organisation(id, unmask),
    );
    let locale = use_locale();
    view! {
        <Title text=move || format!("{} · {}", Msg::OrganisationTitle.text(locale.get()), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{t(Msg::OrganisationTitle)}</h1>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match org.await {
                        Ok(o) => {
                            let category = o.category.clone();
                            view! {
                                <dl class="facts" data-testid="organisation-facts">
                                    <div><dt>{t(Msg::ColumnName)}</dt><dd>{o.name.clone()}</dd></div>
                                    <div><dt>{t(crate::errors::Field::CreditCode.label())}</dt><dd>{o.credit_code.clone()}</dd></div>
                                    <div><dt>{t(Msg::ColumnCategory)}</dt><dd>{move || category_name(&category, locale.get())}</dd></div>
                                    <div><dt>{t(Msg::ColumnArea)}</dt><dd>{crate::i18n::pick(o.area_zh.clone(), o.area_en.clone())}</dd></div>
                                    <div><dt>{t(crate::errors::Field::ContactName.label())}</dt><dd>{o.contact_name.clone()}</dd></div>
                                    <div><dt>{t(Msg::ColumnMobile)}</dt><dd data-testid="organisation-mobile">{o.mobile.clone()}
                                        {o.mobile_masked.then(|| view! {
                                            " "<a href=format!("/organisations/{}?unmask=1", o.id) rel="nofollow">{t(Msg::ShowMobile)}</a>
                                            <small class="muted">" "{t(Msg::UnmaskAudited)}</small>
                                        })}
                                    </dd></div>
                                    <div><dt>{t(Msg::ColumnRegistered)}</dt><dd>{o.registered.clone()}</dd></div>
                                </dl>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="alert alert--error" role="alert" data-testid="organisation-error">{t(e.message())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

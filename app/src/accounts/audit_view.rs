//! The audit administrator's page: the log with filters, and a chain check.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub summary: String,
    pub client_addr: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainReport {
    Intact { entries: i64 },
    Broken { seq: i64, reason: String },
}

#[server(prefix = "/api", endpoint = "audit_log")]
pub async fn audit_log(actor: String, action: String) -> Result<Vec<AuditRow>, AppError> {
    crate::accounts::session::require_role(&[domain::Role::AuditAdmin])?;
    let store = crate::state::store()?;
    let entries = store
        .audit_entries(&store::audit::AuditFilter {
            actor: Some(actor.trim().to_string()).filter(|s| !s.is_empty()),
            action: Some(action.trim().to_string()).filter(|s| !s.is_empty()),
            from: None,
            limit: 200,
        })
        .await?;
    Ok(entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at,
            actor: e.event.actor,
            role: e.event.role,
            action: e.event.action,
            target: e.event.target,
            summary: e.event.summary,
            client_addr: e.event.client_addr,
        })
        .collect())
}

#[server(prefix = "/api", endpoint = "verify_audit")]
pub async fn verify_audit() -> Result<ChainReport, AppError> {
    use crate::accounts::session::{audit, require_role};
    let auditor = require_role(&[domain::Role::AuditAdmin])?;
    let status = crate::state::store()?.verify_audit_chain().await?;
    let (report, summary) = match status {
        store::audit::ChainStatus::Intact { entries } => (
            ChainReport::Intact { entries },
            format!("intact, {entries} entries"),
        ),
        store::audit::ChainStatus::Broken { seq, reason } => (
            ChainReport::Broken {
                seq,
                reason: reason.clone(),
            },
            format!("broken at {seq}: {reason}"),
        ),
    };
    audit(Some(&auditor), "audit.verify", "audit_log", &summary).await?;
    Ok(report)
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let actor = move || query.with(|q| q.get("actor").unwrap_or_default());
    let action = move || query.with(|q| q.get("action").unwrap_or_default());
    let verify = ServerAction::<VerifyAudit>::new();
    let rows = Resource::new(
        move || (actor(), action(), verify.version().get()),
        |(actor, action, _)| audit_log(actor, action),
    );
    let locale = use_locale();
    view! {
        <Title text=move || format!("{} · {}", Msg::AuditTitle.text(locale.get()), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{t(Msg::AuditTitle)}</h1>
            <p class="panel__lead">{t(Msg::AuditLead)}</p>
            <ActionForm action=verify attr:class="form--inline">
                <button class="button" type="submit" data-testid="verify-chain">{t(Msg::AuditVerify)}</button>
            </ActionForm>
            {move || verify.value().get().map(|r| match r {
                Ok(ChainReport::Intact { entries }) => view! {
                    <div class="alert alert--ok" role="status" data-testid="chain-result">{t(Msg::AuditIntact)}{entries}</div>
                }.into_any(),
                Ok(ChainReport::Broken { seq, reason }) => view! {
                    <div class="alert alert--error" role="alert" data-testid="chain-result">{t(Msg::AuditBroken)}{seq}" — "{reason}</div>
                }.into_any(),
                Err(e) => view! { <div class="alert alert--error" role="alert">{t(e.message())}</div> }.into_any(),
            })}
            <form method="get" class="filters">
                <label>{t(Msg::FilterActor)}<input name="actor" value=actor/></label>
                <label>{t(Msg::FilterAction)}<input name="action" value=action/></label>
                <button class="button button--secondary" type="submit">{t(Msg::FilterApply)}</button>
            </form>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => view! { <p>{t(Msg::NoEntries)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap" tabindex="0">
                            <table class="table table--dense" data-testid="audit-table">
                                <thead><tr>
                                    <th>"#"</th><th>{t(Msg::ColumnTime)}</th><th>{t(Msg::ColumnAccount)}</th>
                                    <th>{t(Msg::ColumnAction)}</th><th>{t(Msg::ColumnTarget)}</th>
                                    <th>{t(Msg::ColumnSummary)}</th><th>{t(Msg::ColumnAddress)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td>{r.seq}</td>
                                            <td>{r.at.replace('T', " ").chars().take(19).collect::<String>()}</td>
                                            <td>{r.actor}" "<small>{r.role}</small></td>
                                            <td>{r.action}</td>
                                            <td>{r.target}</td>
                                            <td>{r.summary}</td>
                                            <td>{r.client_addr}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert--error">{t(e.message())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

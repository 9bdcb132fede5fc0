//! The in-app inbox (消息): every party gets a message at each step of its review —
//! an applicant's organisation, reviewers, the county office. Opening it marks all read.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub text_zh: String,
    pub text_en: String,
    pub link: String,
    pub created_at: String,
    pub unread: bool,
}

#[server(prefix = "/api", endpoint = "inbox")]
#[tracing::instrument(skip_all)]
pub async fn inbox() -> Result<Vec<Message>, AppError> {
    let user = crate::accounts::session::require_user()?;
    let store = crate::state::store()?;
    let org = store
        .account(user.account_id)
        .await?
        .and_then(|a| a.organisation_id);
    let list = store.inbox(user.account_id, org).await?;
    store.mark_inbox_read(user.account_id, org).await?;
    Ok(list
        .into_iter()
        .map(|n| Message {
            unread: n.read_at.is_none(),
            text_zh: n.text_zh,
            text_en: n.text_en,
            link: n.link,
            created_at: n.created_at,
        })
        .collect())
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| inbox());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("消息", "Inbox"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("消息", "Inbox")}</h1>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">{move || locale.get().pick("暂无消息。", "No messages.")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="app-list" data-testid="inbox">
                                {list.into_iter().map(|m| {
                                    let (zh, en) = (m.text_zh.clone(), m.text_en.clone());
                                    view! {
                                        <li class=if m.unread { "app-list__item inbox__unread" } else { "app-list__item" } data-testid="message">
                                            <a class="app-list__link" href=m.link.clone()><span class="app-list__name">{move || locale.get().pick(&zh, &en).to_string()}</span></a>
                                            <span class="app-list__meta">{crate::format::short_time(&m.created_at)}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

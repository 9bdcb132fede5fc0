//! One complaint: its record, history, handling actions and attachments.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub complaint: ComplaintView,
    pub events: Vec<(String, String, String, String)>,
    pub can_act: bool,
    pub today: String,
}

#[server(prefix = "/api", endpoint = "complaint_case")]
#[tracing::instrument(skip_all)]
pub async fn fetch_complaint_case(id: i64) -> Result<CaseView, AppError> {
    let user = crate::accounts::session::require_role(READERS)?;
    let store = crate::state::store()?;
    let c = store.complaint(id).await?.ok_or(AppError::NotFound)?;
    if !scope::covers(&user, &c.area_code) {
        return Err(AppError::NotFound);
    }
    let (cal, today) = (
        crate::review::common::calendar(&store).await?,
        crate::review::common::today(&store).await,
    );
    let names = crate::complaints::ssr::township_names(&store).await?;
    let can_act = HANDLERS.contains(&user.role);
    let events = store
        .complaint_events(id)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.at.get(..10).unwrap_or_default().to_string(),
                e.actor,
                e.text_zh,
                e.text_en,
            )
        })
        .collect();
    Ok(CaseView {
        complaint: crate::complaints::ssr::view_of(c, &cal, today, &names, can_act),
        events,
        can_act,
        today: today.to_string(),
    })
}

crate::notes::notes! {
    pub enum CaseNote {
        Accept = "accept" => ("已受理。", "Accepted."),
        Refuse = "refuse" => ("已决定不予受理。", "Not accepted."),
        Link = "link" => ("已关联被投诉单位，其处理台可见。", "Linked: the business sees it on its desk."),
        Escalate = "escalate" => ("已转入调解。", "Escalated to mediation."),
        Close = "close" => ("已办结。消费者将收到满意度评价链接。", "Closed. The consumer gets a link to rate it."),
        Rate = "rate" => ("已记录回访评价。", "Callback rating recorded."),
        Filed = "filed" => ("投诉已登记。", "Complaint entered."),
        Ground = "ground" => ("请选择不予受理的原因。", "Choose the ground for not accepting."),
        CreditCode = "credit_code" => ("统一社会信用代码未登记或校验不通过：请核对后再关联。", "That credit code fails its check or is not registered: check it and try again."),
        Outcome = "outcome" => ("请选择办结方式。", "Choose how it ended."),
        Amount = "amount" => ("金额不正确：请填写不小于 0 的金额，最多两位小数。", "The amount is wrong: 0 or more, with at most two decimals."),
        Rating = "rating" => ("请选择评价；每件投诉只能评价一次，且须已办结。", "Choose a rating; a complaint is rated once, after it is closed."),
        State = "state" => ("这件投诉的状态已变化，请刷新后再试。", "This complaint has moved on; reload and try again."),
        _ => State,
    }
}

#[component]
pub fn ComplaintCasePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, fetch_complaint_case);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("投诉详情", "Complaint"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <p><a href="/complaints">{move || locale.get().pick("← 投诉管理", "← Complaints")}</a></p>
            <PostNote text=CaseNote::describe testid="case-note"/>
            <Loaded data view=case_view/>
        </section>
    }
}

fn case_view(v: CaseView) -> impl IntoView {
    let locale = use_locale();
    let c = v.complaint;
    let id = c.id;
    let (izh, ien) = c.industry.name();
    let (czh, cen) = c.channel.name();
    let outcome = c.outcome.map(|o| o.name());
    let ground = c.refusal_ground.map(|g| g.name());
    let rating = c.rating.map(|r| r.name());
    let status = c.status;
    let act = v.can_act;
    let today = v.today.clone();
    view! {
        <h1>{c.unit_name.clone()}</h1>
        <p><StatusBadge status=c.status overdue=c.overdue()/></p>
        <ClockLine clock=c.clock.clone()/>
        <dl class="facts" data-testid="case-facts">
            <dt>{move || locale.get().pick("编号", "Number")}</dt><dd>{c.external_no.clone().or(c.tracking_code.clone()).unwrap_or_default()}</dd>
            <dt>{move || locale.get().pick("渠道", "Channel")}</dt><dd>{move || locale.get().pick(czh, cen)}</dd>
            <dt>{move || locale.get().pick("投诉人", "Consumer")}</dt><dd>{c.consumer.clone()}{" "}{c.phone.clone()}</dd>
            <dt>{move || locale.get().pick("乡镇 · 行业", "Township · industry")}</dt><dd>{c.township.clone()}{" · "}{move || locale.get().pick(izh, ien)}</dd>
            <dt>{move || locale.get().pick("信用代码", "Credit code")}</dt><dd>{c.unit_credit_code.clone().unwrap_or_else(|| "—".into())}{c.organisation_id.map(|_| view! { " " <span class="badge badge--ok">{move || locale.get().pick("已登记单位", "registered")}</span> })}</dd>
            <dt>{move || locale.get().pick("投诉内容", "What happened")}</dt><dd>{c.summary.clone()}</dd>
            <dt>{move || locale.get().pick("诉求", "Asks for")}</dt><dd>{if c.demand.is_empty() { "—".to_string() } else { c.demand.clone() }}</dd>
            <dt>{move || locale.get().pick("登记 · 受理 · 办结", "Received · accepted · closed")}</dt>
            <dd>{format!("{} · {} · {}", c.received_on, c.accepted_on.clone().unwrap_or_else(|| "—".into()), c.closed_on.clone().unwrap_or_else(|| "—".into()))}</dd>
            {c.unit_offer.clone().map(|o| view! { <dt>{move || locale.get().pick("商家方案", "Business's offer")}</dt><dd>{c.unit_contacted_on.clone().unwrap_or_default()}{" · "}{o}</dd> })}
            {outcome.map(|(zh, en)| view! { <dt>{move || locale.get().pick("办结方式", "Outcome")}</dt><dd>{move || locale.get().pick(zh, en)}</dd> })}
            {ground.map(|(zh, en)| view! { <dt>{move || locale.get().pick("不予受理原因", "Ground")}</dt><dd>{move || locale.get().pick(zh, en)}</dd> })}
            <dt>{move || locale.get().pick("挽回损失 · 先行赔付", "Recovered · advance")}</dt><dd>{format!("¥{} · ¥{}", c.recovered, c.advance)}</dd>
            <dt>{move || locale.get().pick("满意度", "Satisfaction")}</dt><dd data-testid="case-rating">{match rating { Some((zh, en)) => view! { <span>{move || locale.get().pick(zh, en)}</span> }.into_any(), None => view! { <span>{move || locale.get().pick("未评价", "No answer")}</span> }.into_any() }}</dd>
        </dl>
        {(act && status == Status::Received).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="accept"/>
                <p class="panel__lead">{move || locale.get().pick("受理后，已登记的单位在其处理台协商（10个工作日），否则直接进入调解。", "Once accepted, a registered business negotiates on its desk (10 working days); otherwise it goes to mediation.")}</p>
                <button class="button" data-testid="case-accept">{move || locale.get().pick("受理", "Accept")}</button>
            </form>
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="refuse"/>
                <label>{move || locale.get().pick("不予受理原因", "Ground for not accepting")}
                    <select name="ground"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                        {options::<RefusalGround>("")}
                    </select></label>
                <button class="button button--secondary" data-testid="case-refuse">{move || locale.get().pick("不予受理", "Do not accept")}</button>
            </form>
        })}
        {(act && status.is_open() && c.organisation_id.is_none()).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="link"/>
                <label>{move || locale.get().pick("关联已登记单位（统一社会信用代码）", "Link a registered business (credit code)")}<input type="text" name="credit_code" maxlength="18" value=c.unit_credit_code.clone().unwrap_or_default()/></label>
                <button class="button button--secondary">{move || locale.get().pick("关联", "Link")}</button>
            </form>
        })}
        {(act && status == Status::Negotiating).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="escalate"/>
                <p class="panel__lead">{move || locale.get().pick("商家协商未果或超过10个工作日时，转由市场监管部门调解。", "When the business fails or its 10 working days run out, the regulator mediates.")}</p>
                <button class="button button--secondary" data-testid="case-escalate">{move || locale.get().pick("转入调解", "Escalate to mediation")}</button>
            </form>
        })}
        {(act && matches!(status, Status::Negotiating | Status::Mediating)).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision" data-testid="case-close-form">
                <input type="hidden" name="action" value="close"/>
                <label>{move || locale.get().pick("办结方式", "Outcome")}
                    <select name="outcome"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                        {options::<Outcome>("")}
                    </select></label>
                <label>{move || locale.get().pick("挽回经济损失（元）", "Recovered for the consumer (yuan)")}<input type="text" inputmode="decimal" name="recovered"/></label>
                <label>{move || locale.get().pick("先行赔付（元）", "Advance compensation (yuan)")}<input type="text" inputmode="decimal" name="advance"/></label>
                <button class="button" data-testid="case-close">{move || locale.get().pick("办结", "Close")}</button>
            </form>
        })}
        {(act && status == Status::Closed && c.rating.is_none()).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="rate"/>
                <label>{move || locale.get().pick("电话回访评价", "Rating from a callback")}
                    <select name="rating">
                        {[Rating::Satisfied, Rating::BasicallySatisfied, Rating::Dissatisfied].iter().map(|r| { let (zh, en) = r.name(); view! { <option value=r.code()>{move || locale.get().pick(zh, en)}</option> } }).collect_view()}
                    </select></label>
                <button class="button button--secondary">{move || locale.get().pick("记录评价", "Record")}</button>
            </form>
        })}
        <h2>{move || locale.get().pick("办理经过", "History")}</h2>
        <ol class="timeline">
            {v.events.into_iter().map(|(at, actor, zh, en)| view! {
                <li><span class="timeline__date">{at}</span>{" "}{move || locale.get().pick(&zh, &en).to_string()}<small class="muted">{format!(" · {actor}")}</small></li>
            }).collect_view()}
        </ol>
        <p class="muted">{move || locale.get().pick("今天：", "Today: ")}{today.clone()}</p>
    }
}

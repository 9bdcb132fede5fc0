//! Entry by staff: a complaint taken by telephone, letter or at the counter.

use super::*;

#[server(prefix = "/api", endpoint = "complaint_entry")]
#[tracing::instrument(skip_all)]
pub async fn fetch_complaint_entry() -> Result<(String, Vec<AreaChoice>), AppError> {
    let user = crate::accounts::session::require_role(HANDLERS)?;
    let store = crate::state::store()?;
    let today = crate::review::common::today(&store).await;
    let areas = store
        .areas_under(&user.area_code)
        .await?
        .into_iter()
        .filter(|a| a.level == "township")
        .map(|a| (a.code, a.name_zh, a.name_en))
        .collect();
    Ok((today.to_string(), areas))
}

crate::notes::notes! {
    pub enum EntryNote {
        Unit = "unit" => ("请填写被投诉单位。", "Name the business."),
        CreditCode = "credit_code" => ("统一社会信用代码校验不通过，请核对或留空。", "The credit code fails its check: correct it or leave it empty."),
        Township = "township" => ("请选择您辖区内的乡镇。", "Choose a township in your area."),
        Industry = "industry" => ("请选择行业。", "Choose the industry."),
        Channel = "channel" => ("请选择投诉渠道。", "Choose the channel."),
        Name = "name" => ("请填写投诉人姓名。", "Give the consumer's name."),
        Phone = "phone" => ("联系电话格式不对。", "The phone number is malformed."),
        Summary = "summary" => ("请写明投诉内容（至少 10 个字）。", "Describe the complaint (at least 10 characters)."),
        Date = "date" => ("登记日期不正确：不能晚于今天。", "The date received is wrong: not after today."),
        Number = "number" => ("该投诉编号已登记过。", "That complaint number is already entered."),
        State = "state" => ("保存未完成，请重试。", "Not saved; try again."),
        _ => State,
    }
}

#[component]
pub fn ComplaintEntryPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| fetch_complaint_entry());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("登记投诉", "Enter a complaint"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <p><a href="/complaints">{move || locale.get().pick("← 投诉管理", "← Complaints")}</a></p>
            <h1>{move || locale.get().pick("登记投诉", "Enter a complaint")}</h1>
            <PostNote text=EntryNote::describe testid="entry-note"/>
            <Loaded data view=entry_form/>
        </section>
    }
}

fn entry_form((today, areas): (String, Vec<AreaChoice>)) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let kept = move |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let (township, industry, channel) = (kept("township"), kept("industry"), kept("channel"));
    let received = Some(kept("received_on"))
        .filter(|s| !s.is_empty())
        .unwrap_or(today.clone());
    view! {
        <form method="post" action="/complaints/file" class="decision" data-testid="entry-form">
            <label>{move || locale.get().pick("投诉渠道", "Channel")}
                <select name="channel">
                    {options::<Channel>(&channel)}
                </select></label>
            <label>{move || locale.get().pick("投诉编号（选填，如12315工单号）", "Complaint number (optional, e.g. the 12315 number)")}<input type="text" name="number" maxlength="40" value=kept("number")/></label>
            <label>{move || locale.get().pick("登记日期", "Received on")}<input type="date" name="received_on" max=today.clone() value=received/></label>
            <label>{move || locale.get().pick("投诉人姓名", "Consumer's name")}<input type="text" name="name" maxlength="40" value=kept("name")/></label>
            <label>{move || locale.get().pick("联系电话", "Phone")}<input type="tel" name="phone" maxlength="20" value=kept("phone")/></label>
            <label>{move || locale.get().pick("被投诉单位", "Business complained about")}<input type="text" name="unit_name" maxlength="100" value=kept("unit_name")/></label>
            <label>{move || locale.get().pick("统一社会信用代码（选填）", "Credit code (optional)")}<input type="text" name="unit_credit_code" maxlength="18" value=kept("unit_credit_code")/></label>
            <label>{move || locale.get().pick("所在乡镇", "Township")}
                <select name="township"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                    {areas.iter().map(|(code, zh, en)| { let (zh, en) = (zh.clone(), en.clone()); view! { <option value=code.clone() selected=township == *code>{move || locale.get().pick(&zh, &en).to_string()}</option> } }).collect_view()}
                </select></label>
            <label>{move || locale.get().pick("行业", "Industry")}
                <select name="industry"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                    {options::<Industry>(&industry)}
                </select></label>
            <label>{move || locale.get().pick("投诉内容", "What happened")}<textarea name="summary" rows="4" maxlength="2000">{crate::forms::textarea_text(kept("summary"))}</textarea></label>
            <label>{move || locale.get().pick("诉求（选填）", "Asks for (optional)")}<input type="text" name="demand" maxlength="200" value=kept("demand")/></label>
            <button class="button" data-testid="entry-save">{move || locale.get().pick("登记", "Enter")}</button>
        </form>
    }
}

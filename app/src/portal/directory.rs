//! The public directory of recognised units (示范单位名录): search by name or credit code,
//! filter by township, category and industry, sorted and paged (each unit's own page is in
//! `unit`). Server-rendered: the filters are a plain
//! GET form and the pages plain links, so all of it works without JavaScript.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use domain::notice::PlaqueStatus;
use domain::Category;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Units on one page of the directory, unless the link asks for more (`per`, at most
/// `MAX_PAGE_SIZE`: a printed list or a screen on the office wall).
pub const PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 50;

/// What the directory was asked, as its query string carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryAsk {
    pub q: String,
    pub township: String,
    pub category: String,
    pub industry: String,
    /// Also expired and revoked plaques.
    pub ended: bool,
    /// newest | township | certificate
    pub sort: String,
    /// From 1.
    pub page: i64,
    /// Units per page as asked; 0 for the default.
    pub per: i64,
}

impl DirectoryAsk {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> DirectoryAsk {
        DirectoryAsk {
            q: get("q").unwrap_or_default(),
            township: get("township").unwrap_or_default(),
            category: get("category").unwrap_or_default(),
            industry: get("industry").unwrap_or_default(),
            ended: get("ended").is_some_and(|v| !v.is_empty()),
            sort: get("sort").unwrap_or_default(),
            page: get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
            per: get("per").and_then(|p| p.parse().ok()).unwrap_or(0),
        }
    }

    /// Units per page: the default, or what was asked within the bounds.
    pub fn page_size(&self) -> i64 {
        if self.per <= 0 {
            PAGE_SIZE
        } else {
            self.per.clamp(PAGE_SIZE, MAX_PAGE_SIZE)
        }
    }

    /// The query string of this ask on another page (empty parts left out).
    pub fn query_string(&self, page: i64) -> String {
        let mut parts: Vec<String> = [
            ("q", self.q.as_str()),
            ("township", self.township.as_str()),
            ("category", self.category.as_str()),
            ("industry", self.industry.as_str()),
            ("sort", self.sort.as_str()),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::layout::urlencode_path(v)))
        .collect();
        if self.ended {
            parts.push("ended=1".into());
        }
        if self.page_size() != PAGE_SIZE {
            parts.push(format!("per={}", self.page_size()));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

/// One unit as the directory lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub id: i64,
    /// The shop-front name, or the registered name when there is none.
    pub name: String,
    pub registered_name: String,
    pub township: String,
    pub category: Category,
    pub industry: String,
    pub status: PlaqueStatus,
    pub valid_until: String,
    pub certificate_no: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub ask: DirectoryAsk,
    pub entries: Vec<DirectoryEntry>,
    pub total: i64,
    /// (code, name in Chinese, name in English) of the county's townships.
    pub townships: Vec<(String, String, String)>,
}

/// The label of an industry code in a category's list (or any list, with no category).
pub fn industry_label(category: Option<Category>, code: &str) -> (&'static str, &'static str) {
    let lists: Vec<Category> = match category {
        Some(c) => vec![c],
        None => Category::ALL.to_vec(),
    };
    lists
        .into_iter()
        .flat_map(|c| domain::application::industries(c).iter())
        .find(|(c, _)| *c == code)
        .map(|(_, text)| *text)
        .unwrap_or(("", ""))
}

#[cfg(feature = "ssr")]
pub(super) fn plaque_status_of(
    r: &store::county::Recognition,
    today: chrono::NaiveDate,
) -> Result<PlaqueStatus, AppError> {
    let until = chrono::NaiveDate::parse_from_str(&r.valid_until, "%Y-%m-%d")
        .map_err(AppError::internal)?;
    Ok(domain::notice::plaque_status(
        today,
        until,
        r.revoked_on.is_some(),
    ))
}

#[server(prefix = "/api", endpoint = "public_directory")]
#[tracing::instrument(skip_all)]
pub async fn public_directory(ask: DirectoryAsk) -> Result<Directory, AppError> {
    use store::county::{DirectoryQuery, DirectorySort};
    let store = crate::state::store()?;
    let today = crate::review::common::today(&store).await;
    let areas = store.areas_under(domain::application::COUNTY).await?;
    let townships: Vec<(String, String, String)> = areas
        .iter()
        .filter(|a| a.level == "township")
        .map(|a| (a.code.clone(), a.name_zh.clone(), a.name_en.clone()))
        .collect();
    // Unknown filter values match nothing rather than fail: a shared link stays readable.
    let mut ask = ask;
    ask.q = ask.q.chars().take(60).collect();
    let query = DirectoryQuery {
        text: ask.q.clone(),
        township: ask.township.clone(),
        category: ask.category.clone(),
        industry: ask.industry.clone(),
        include_ended: ask.ended,
        sort: match ask.sort.as_str() {
            "township" => DirectorySort::Township,
            "certificate" => DirectorySort::Certificate,
            _ => DirectorySort::Newest,
        },
        today: today.format("%Y-%m-%d").to_string(),
        offset: (ask.page.clamp(1, 100_000) - 1) * ask.page_size(),
        limit: ask.page_size(),
    };
    let (rows, total) = store.directory(&query).await?;
    let township_of = |area: &str| {
        let code = area.get(..9).unwrap_or(area);
        townships
            .iter()
            .find(|(c, ..)| c == code)
            .map(|(_, zh, _)| zh.clone())
            .unwrap_or_default()
    };
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows {
        entries.push(DirectoryEntry {
            id: r.id,
            status: plaque_status_of(&r, today)?,
            name: if r.display_name.is_empty() {
                r.organisation_name.clone()
            } else {
                r.display_name.clone()
            },
            township: township_of(&r.area_code),
            category: Category::parse(&r.category_code).unwrap_or(Category::Unit),
            industry: r.industry,
            registered_name: r.organisation_name,
            valid_until: r.valid_until,
            certificate_no: r.certificate_no,
        });
    }
    Ok(Directory {
        ask,
        entries,
        total,
        townships,
    })
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let ask = move || query.with(|q| DirectoryAsk::from_query(|k| q.get(k)));
    let data = Resource::new_blocking(ask, public_directory);
    view! {
        <crate::portal::seo::PublicMeta
            title=("示范单位名录", "Directory of recognised units")
            description=("查询东至县放心消费示范单位、示范街区、示范行业协会（商会）和示范乡村（社区）：认定状态、有效期、承诺和投诉处理情况。",
                "Find Dongzhi County's recognised trusted-consumption units, streets, associations and villages: status, validity, commitments and complaint record.")
            path="/units"/>
        <section class="panel">
            <h1>{move || locale.get().pick("示范单位名录", "Directory of recognised units")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "经县放心消费创建工作领导小组认定的示范单位。点击名称查看其承诺、有效期和近 12 个月的投诉处理情况。",
                "Units recognised by the county's trusted-consumption campaign. Open one to see its commitments, validity and complaint record over the last 12 months."
            )}</p>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <DirectoryBody d=d/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DirectoryBody(d: Directory) -> impl IntoView {
    let locale = use_locale();
    let ask = d.ask.clone();
    let category = Category::parse(&ask.category);
    let per = ask.page_size();
    let pages = ((d.total + per - 1) / per).max(1);
    let page = ask.page.min(pages);
    // The industries of the chosen category, or of all four grouped by category.
    let industry_groups: Vec<Category> = match category {
        Some(c) => vec![c],
        None => Category::ALL.to_vec(),
    };
    let chosen_industry = ask.industry.clone();
    let sorts: [(&str, (&str, &str)); 3] = [
        ("", ("最新认定", "Newest first")),
        ("township", ("按乡镇", "By township")),
        ("certificate", ("按证书编号", "By certificate number")),
    ];
    let link = {
        let ask = ask.clone();
        move |p: i64| {
            let qs = ask.query_string(p);
            if qs.is_empty() {
                "/units".to_string()
            } else {
                format!("/units?{qs}")
            }
        }
    };
    view! {
        <form method="get" action="/units" class="filters filters--directory" role="search" data-testid="directory-filters">
            <label>{move || locale.get().pick("名称或信用代码", "Name or credit code")}
                <input type="search" name="q" maxlength="60" value=ask.q.clone() data-testid="directory-search"/>
            </label>
            <label>{move || locale.get().pick("乡镇", "Township")}
                <select name="township" data-testid="directory-township">
                    <option value="">{move || locale.get().pick("全县", "Whole county")}</option>
                    {d.townships.iter().map(|(code, zh, en)| {
                        let (zh, en) = (zh.clone(), en.clone());
                        view! { <option value=code.clone() selected=ask.township == *code>{move || locale.get().pick(&zh, &en).to_string()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{move || locale.get().pick("类别", "Category")}
                <select name="category" data-testid="directory-category">
                    <option value="">{move || locale.get().pick("全部类别", "All categories")}</option>
                    {Category::ALL.iter().map(|c| {
                        let (zh, en) = c.name();
                        view! { <option value=c.code() selected=category == Some(*c)>{move || locale.get().pick(zh, en)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{move || locale.get().pick("行业", "Industry")}
                <select name="industry" data-testid="directory-industry">
                    <option value="">{move || locale.get().pick("全部行业", "All industries")}</option>
                    {industry_groups.into_iter().map(|c| {
                        let (gzh, gen) = c.name();
                        let chosen = chosen_industry.clone();
                        view! {
                            <optgroup label=move || locale.get().pick(gzh, gen)>
                                {domain::application::industries(c).iter().map(|(code, (zh, en))| {
                                    let (zh, en) = (*zh, *en);
                                    view! { <option value=*code selected=chosen == *code>{move || locale.get().pick(zh, en)}</option> }
                                }).collect_view()}
                            </optgroup>
                        }
                    }).collect_view()}
                </select>
            </label>
            <label>{move || locale.get().pick("排序", "Sort")}
                <select name="sort" data-testid="directory-sort">
                    {sorts.iter().map(|(code, (zh, en))| {
                        let (zh, en) = (*zh, *en);
                        view! { <option value=*code selected=ask.sort == *code>{move || locale.get().pick(zh, en)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="check"><input type="checkbox" name="ended" value="1" checked=ask.ended/>{move || locale.get().pick("含已过期、已撤销", "Include expired and revoked")}</label>
            <button class="button button--small" data-testid="directory-submit">{move || locale.get().pick("查询", "Search")}</button>
        </form>
        <p class="directory__count" role="status" data-testid="directory-count">
            {move || match locale.get() {
                domain::Locale::ZhCn => format!("共 {} 家", d.total),
                domain::Locale::En => format!("{} found", d.total),
            }}
            {(pages > 1).then(|| view! { {move || match locale.get() {
                domain::Locale::ZhCn => format!("，第 {page}/{pages} 页"),
                domain::Locale::En => format!(", page {page} of {pages}"),
            }} })}
        </p>
        {if d.entries.is_empty() {
            view! { <p class="empty" data-testid="directory-empty">{move || locale.get().pick("没有符合条件的示范单位。请换个名称或放宽筛选条件。", "No recognised unit matches. Try another name or fewer filters.")}</p> }.into_any()
        } else {
            view! {
                <ul class="app-list" data-testid="directory-list">
                    {d.entries.into_iter().map(|e| view! { <DirectoryItem e=e/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label=move || locale.get().pick("翻页", "Pages") data-testid="directory-pager">
                {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">{move || locale.get().pick("上一页", "Previous")}</a> })}
                {(1..=pages).filter(|p| *p == 1 || *p == pages || (*p - page).abs() <= 2).map(|p| {
                    if p == page {
                        view! { <span class="pager__current" aria-current="page">{p}</span> }.into_any()
                    } else {
                        view! { <a href=link(p)>{p}</a> }.into_any()
                    }
                }).collect_view()}
                {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">{move || locale.get().pick("下一页", "Next")}</a> })}
            </nav>
        })}
    }
}

pub(super) fn status_badge(status: PlaqueStatus) -> (&'static str, (&'static str, &'static str)) {
    let class = match status {
        PlaqueStatus::Valid => "badge badge--recognised",
        PlaqueStatus::Expired => "badge badge--draft",
        PlaqueStatus::Revoked => "badge badge--bad",
    };
    (class, status.name())
}

#[component]
fn DirectoryItem(e: DirectoryEntry) -> impl IntoView {
    let locale = use_locale();
    let (czh, cen) = e.category.name();
    let (izh, ien) = industry_label(Some(e.category), &e.industry);
    let (class, (szh, sen)) = status_badge(e.status);
    let valid_until = e.valid_until.clone();
    view! {
        <li class="app-list__item" data-testid="directory-unit">
            <a class="app-list__link" href=format!("/units/{}", e.id)>
                <span>{e.name.clone()}</span>
                <span class=class>{move || locale.get().pick(szh, sen)}</span>
            </a>
            <span class="app-list__meta">
                {move || locale.get().pick(czh, cen)}{format!(" · {}", e.township)}
                {(!izh.is_empty()).then(|| view! { " · " {move || locale.get().pick(izh, ien)} })}
            </span>
            <span class="app-list__meta">
                {(e.name != e.registered_name).then(|| format!("{} · ", e.registered_name))}
                {move || format!("{}{}", locale.get().pick("有效期至 ", "Valid until "), crate::format::date(locale.get(), &valid_until))}
            </span>
        </li>
    }
}

#[cfg(test)]
mod tests;

//! The dashboard page and its big-screen mode (大屏).

use super::{fetch_dashboard, Bi, Chart, DashboardQuery, DashboardView, Table, Tile};
use crate::i18n::use_locale;
use crate::layout::Title;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The state of the live connection, as the indicator shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    /// Server-rendered, or not yet connected.
    Connecting,
    On,
    /// Lost; the browser is reconnecting.
    Reconnecting,
}

/// Opens the change stream once the page runs in the browser; each change bumps
/// `tick`, which refetches the dashboard. The browser's EventSource reconnects by
/// itself after a network loss (the server asks for a 1 s retry), and a reconnect
/// refetches too, since changes may have been missed meanwhile.
fn live_updates(tick: RwSignal<u64>) -> RwSignal<Live> {
    let state = RwSignal::new(Live::Connecting);
    #[cfg(not(feature = "hydrate"))]
    let _ = tick;
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use send_wrapper::SendWrapper;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new("/dashboard/live") else {
            return;
        };
        let was_lost = std::rc::Rc::new(std::cell::Cell::new(false));
        let lost = was_lost.clone();
        let on_open = Closure::<dyn Fn()>::new(move || {
            state.set(Live::On);
            if lost.replace(false) {
                tick.update(|n| *n += 1);
            }
        });
        let lost = was_lost.clone();
        let on_error = Closure::<dyn Fn()>::new(move || {
            lost.set(true);
            state.set(Live::Reconnecting);
        });
        let on_change = Closure::<dyn Fn()>::new(move || tick.update(|n| *n += 1));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let _ =
            source.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        let held = SendWrapper::new((source, on_open, on_error, on_change));
        on_cleanup(move || {
            let (source, ..) = held.take();
            source.close();
        });
    });
    state
}

#[component]
fn LiveBadge(live: RwSignal<Live>, read_at: String) -> impl IntoView {
    let locale = use_locale();
    let text = move || match live.get() {
        Live::Connecting => locale.get().pick("连接中", "Connecting"),
        Live::On => locale.get().pick("实时", "Live"),
        Live::Reconnecting => locale.get().pick("重新连接中", "Reconnecting"),
    };
    let class = move || match live.get() {
        Live::On => "live live--on",
        Live::Connecting => "live",
        Live::Reconnecting => "live live--lost",
    };
    view! {
        <span class=class data-testid="live" data-state=move || format!("{:?}", live.get()).to_lowercase() role="status">
            <span class="live__dot" aria-hidden="true"></span>
            {text}
            <span class="live__at">{move || locale.get().pick("更新于 ", "updated ")}{read_at.clone()}</span>
        </span>
    }
}

/// What both the dashboard and the wall read: the view for the filters in the URL,
/// refetched on every live change, and the connection's state.
type DashboardResource = Resource<Result<DashboardView, crate::errors::AppError>>;

fn use_dashboard() -> (DashboardResource, RwSignal<Live>) {
    let locale = use_locale();
    let map = use_query_map();
    let query = Memo::new(move |_| map.with(|m| DashboardQuery::from_pairs(|k| m.get(k))));
    let tick = RwSignal::new(0u64);
    let live = live_updates(tick);
    let data = Resource::new(
        move || (query.get(), tick.get(), locale.get()),
        |(q, _, _)| fetch_dashboard(q),
    );
    (data, live)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let (data, live) = use_dashboard();
    view! {
        <Title text=move || locale.get().pick("监测驾驶舱 · 放心消费", "Dashboard · Trusted Consumption")/>
        <div class="dash" data-testid="dashboard">
            <Transition fallback=move || view! { <p>{move || locale.get().pick("加载中…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Dashboard v live/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Dashboard(v: DashboardView, live: RwSignal<Live>) -> impl IntoView {
    let locale = use_locale();
    let qs = v.query.query_string();
    let l = move |b: &Bi| {
        let b = b.clone();
        move || b.pick(locale.get())
    };
    let charts = v.charts.clone();
    let tables = v.tables.clone();
    let chart_tables: Vec<String> = charts.iter().map(|c| c.table.clone()).collect();
    let rest: Vec<Table> = tables
        .iter()
        .filter(|t| !chart_tables.contains(&t.id))
        .cloned()
        .collect();
    view! {
        <header class="dash__head">
            <div>
                <nav class="crumbs" aria-label=move || locale.get().pick("地区层级", "Area levels")>
                    {v.crumbs.iter().map(|(href, name)| view! { <a href=href.clone()>{l(name)}</a> }).collect_view()}
                </nav>
                <h1>{l(&v.area)}" · "{move || locale.get().pick("放心消费监测", "Campaign dashboard")}</h1>
                <p class="dash__period"><strong>{l(&v.period)}</strong>" · "{l(&v.compared_with)}</p>
            </div>
            <div class="dash__actions">
                <LiveBadge live read_at=v.read_at.clone()/>
                <a class="button button--ghost" href=format!("/dashboard/wall?{qs}") data-testid="wall-link">{move || locale.get().pick("大屏模式", "Big screen")}</a>
                <a class="button button--ghost" href=format!("/dashboard/export/all.xlsx?{qs}") download data-testid="export-all">{move || locale.get().pick("导出全部表格 (xlsx)", "All tables (xlsx)")}</a>
                <button type="button" class="button button--ghost" on:click=move |_| print_page()>{move || locale.get().pick("打印", "Print")}</button>
            </div>
        </header>
        <Filters v=v.clone()/>
        <section class="kpis" aria-label=move || locale.get().pick("关键指标", "Key figures")>
            {v.tiles.iter().cloned().map(|t| view! { <KpiTile t/> }).collect_view()}
        </section>
        <div class="dash__grid">
            {charts.into_iter().map(|c| {
                let table = tables.iter().find(|t| t.id == c.table).cloned();
                view! { <ChartPanel c table qs=qs.clone()/> }
            }).collect_view()}
            {rest.into_iter().map(|t| view! { <section class="panel"><DataTable t qs=qs.clone() open=true/></section> }).collect_view()}
        </div>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

#[component]
fn Filters(v: DashboardView) -> impl IntoView {
    let locale = use_locale();
    let q = v.query.clone();
    let selected = |a: &Option<String>, b: &str| a.as_deref() == Some(b);
    let options = |items: Vec<(String, Bi)>, current: Option<String>| {
        items
            .into_iter()
            .map(|(code, name)| {
                let sel = selected(&current, &code);
                view! { <option value=code selected=sel>{move || name.pick(locale.get())}</option> }
            })
            .collect_view()
    };
    view! {
        <form class="filters dash__filters" method="get" action="/dashboard" data-testid="dashboard-filters">
            <label>{move || locale.get().pick("年度", "Year")}
                <select name="year">
                    {v.choices.years.iter().map(|y| {
                        let sel = q.year == Some(*y);
                        view! { <option value=y.to_string() selected=sel>{y.to_string()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{move || locale.get().pick("地区", "Area")}
                <select name="area">{options(v.choices.areas.clone(), q.area.clone())}</select>
            </label>
            <label>{move || locale.get().pick("行业", "Industry")}
                <select name="industry">
                    <option value="">{move || locale.get().pick("全部行业", "All industries")}</option>
                    {options(v.choices.industries.clone(), q.industry.clone())}
                </select>
            </label>
            <label>{move || locale.get().pick("创建类别", "Category")}
                <select name="category">
                    <option value="">{move || locale.get().pick("全部类别", "All categories")}</option>
                    {options(v.choices.categories.clone(), q.category.clone())}
                </select>
            </label>
            <label>{move || locale.get().pick("排名依据", "Rank by")}
                <select name="rank">
                    {options(vec![
                        ("handling".into(), Bi::new("处理率", "Handling rate")),
                        ("success".into(), Bi::new("处理成功率", "Success rate")),
                        ("satisfaction".into(), Bi::new("满意率", "Satisfaction rate")),
                    ], Some(q.rank.clone()))}
                </select>
            </label>
            <button type="submit" class="button">{move || locale.get().pick("查看", "Show")}</button>
        </form>
    }
}

#[component]
fn KpiTile(t: Tile) -> impl IntoView {
    let locale = use_locale();
    let class = match t.on_target {
        Some(true) => "kpi kpi--good",
        Some(false) => "kpi kpi--bad",
        None => "kpi",
    };
    let (label, note, target) = (t.label.clone(), t.note.clone(), t.target.clone());
    let change = t.change.clone();
    view! {
        <div class=class data-testid=format!("kpi-{}", t.key)>
            <p class="kpi__label">{move || label.pick(locale.get())}</p>
            <p class="kpi__value" data-testid=format!("kpi-{}-value", t.key)>{t.value.clone()}</p>
            {change.map(|c| view! { <p class="kpi__change">{move || c.pick(locale.get())}</p> })}
            <p class="kpi__note">{move || note.pick(locale.get())}</p>
            <p class="kpi__target">{move || target.pick(locale.get())}</p>
        </div>
    }
}

#[component]
fn ChartPanel(c: Chart, table: Option<Table>, qs: String) -> impl IntoView {
    let locale = use_locale();
    let title = c.title.clone();
    let id = c.id.clone();
    view! {
        <section class="panel" data-testid=format!("panel-{id}")>
            <h2>{move || title.pick(locale.get())}</h2>
            // The trend scrolls sideways on a phone: keyboard users can reach and scroll it.
            <figure class="chart" data-testid=format!("chart-{id}") tabindex=(id == "trend").then_some("0") inner_html=c.svg.clone()></figure>
            <p class="panel__links">
                <a href=format!("/dashboard/chart/{id}.svg?{qs}") download>{move || locale.get().pick("下载图表 (SVG)", "Chart (SVG)")}</a>
            </p>
            {table.map(|t| view! { <DataTable t qs=qs.clone() open=false/> })}
        </section>
    }
}

/// A table; under a chart it sits behind a toggle (the chart's data, for screen readers
/// and for anyone who wants the numbers).
#[component]
fn DataTable(t: Table, qs: String, open: bool) -> impl IntoView {
    let locale = use_locale();
    let title = t.title.clone();
    let id = t.id.clone();
    let body = {
        let t = t.clone();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table dash__table" data-testid=format!("table-{id}")>
                    <thead><tr>{t.columns.iter().cloned().map(|c| view! { <th scope="col">{move || c.pick(locale.get())}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {t.rows.iter().map(|r| {
                            let mut cells = r.cells.clone().into_iter();
                            let first = cells.next().unwrap_or_default();
                            let href = r.href.clone();
                            view! {
                                <tr class:muted=r.muted>
                                    <th scope="row">{match href {
                                        Some(h) => view! { <a href=h>{move || first.pick(locale.get())}</a> }.into_any(),
                                        None => view! { <span>{move || first.pick(locale.get())}</span> }.into_any(),
                                    }}</th>
                                    {cells.map(|c| view! { <td>{move || c.pick(locale.get())}</td> }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {t.note.clone().map(|n| view! { <p class="panel__note">{move || n.pick(locale.get())}</p> })}
            <p class="panel__links">
                <a href=format!("/dashboard/export/{id}.xlsx?{qs}") download data-testid="export-table-xlsx">"xlsx"</a>" · "
                <a href=format!("/dashboard/export/{id}.csv?{qs}") download data-testid="export-table-csv">"CSV"</a>
            </p>
        }
    };
    if open {
        view! { <h2>{move || title.pick(locale.get())}</h2>{body}}.into_any()
    } else {
        view! {
            <details class="chart__data">
                <summary>{move || locale.get().pick("数据表", "Data table")}</summary>
                {body}
            </details>
        }
        .into_any()
    }
}

/// Big-screen mode for a wall display: dark, large type, the KPI tiles always on, and
/// the charts taking turns (a CSS animation: it rotates without JavaScript).
#[component]
pub fn WallPage() -> impl IntoView {
    let locale = use_locale();
    let (data, live) = use_dashboard();
    view! {
        <Title text=move || locale.get().pick("大屏 · 放心消费", "Wall · Trusted Consumption")/>
        <div class="wall" data-testid="wall">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let l = move |b: &Bi| { let b = b.clone(); move || b.pick(locale.get()) };
                            let n = v.charts.len();
                            view! {
                                <header class="wall__head">
                                    <h1>{l(&v.area)}" · "{move || locale.get().pick("放心消费创建监测", "Trusted-consumption campaign")}</h1>
                                    <p>{l(&v.period)}" · "{l(&v.compared_with)}</p>
                                    <LiveBadge live read_at=v.read_at.clone()/>
                                </header>
                                <section class="wall__kpis">
                                    {v.tiles.iter().cloned().map(|t| view! { <KpiTile t/> }).collect_view()}
                                </section>
                                <section class="wall__stage" data-panels=n.to_string()>
                                    {v.charts.iter().enumerate().map(|(i, c)| {
                                        let title = c.title.clone();
                                        view! {
                                            <figure class=format!("wall__panel wall__panel--{i}") data-testid=format!("wall-{}", c.id)>
                                                <figcaption>{move || title.pick(locale.get())}</figcaption>
                                                <div class="chart" inner_html=c.svg.clone()></div>
                                            </figure>
                                        }
                                    }).collect_view()}
                                </section>
                            }.into_any()
                        }
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

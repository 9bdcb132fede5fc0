//! A recognised unit's plaque: the public verification page its QR code leads to (by an
//! unguessable token) and the printable certificate. Server-rendered, usable without
//! JavaScript.

use crate::errors::AppError;
use crate::format::date;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use domain::notice::PlaqueStatus;
use domain::Locale;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plaque {
    pub organisation_name: String,
    pub credit_code: String,
    pub township: String,
    pub category: domain::Category,
    pub certificate_no: String,
    pub recognised_on: String,
    pub valid_until: String,
    pub status: PlaqueStatus,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
    pub verify_url: String,
    pub qr_svg: String,
    pub token: String,
    /// The unit's page in the public directory.
    pub recognition_id: i64,
}

#[server(prefix = "/api", endpoint = "plaque")]
#[tracing::instrument(skip_all)]
pub async fn fetch_plaque(token: String) -> Result<Plaque, AppError> {
    let store = crate::state::store()?;
    if token.len() != 32 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let r = store
        .recognition_by_token(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = crate::review::common::today(&store).await;
    let until = chrono::NaiveDate::parse_from_str(&r.valid_until, "%Y-%m-%d")
        .map_err(AppError::internal)?;
    let status = domain::notice::plaque_status(today, until, r.revoked_on.is_some());
    let (verify_url, qr_svg) = plaque_link(&token)?;
    Ok(Plaque {
        township: crate::portal::notices::township_name(&store, &r.area_code).await,
        organisation_name: r.organisation_name,
        credit_code: r.credit_code,
        category: domain::Category::parse(&r.category_code).unwrap_or(domain::Category::Unit),
        certificate_no: r.certificate_no,
        recognised_on: r.recognised_on,
        valid_until: r.valid_until,
        status,
        revoked_on: r.revoked_on,
        revoke_reason: r.revoke_reason,
        verify_url,
        qr_svg,
        token,
        recognition_id: r.id,
    })
}

/// Where the site is reached from outside: the configured public address (`--public-url`,
/// by default the listening address), never the request's Host or X-Forwarded-* headers,
/// which anyone can set (a forged Host would put another site in QR codes and links of
/// pages kept for other visitors).
#[cfg(feature = "ssr")]
pub fn public_origin() -> String {
    use_context::<crate::state::AppState>()
        .map(|s| s.public_origin)
        .unwrap_or_default()
}

/// A plaque's verification address and its QR code (SVG) pointing there.
#[cfg(feature = "ssr")]
pub fn plaque_link(token: &str) -> Result<(String, String), AppError> {
    let verify_url = format!("{}/verify/{token}", public_origin());
    let qr_svg = qrcode::QrCode::new(verify_url.as_bytes())
        .map_err(AppError::internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build();
    Ok((verify_url, qr_svg))
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let data = Resource::new_blocking(token, fetch_plaque);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("示范牌匾查验", "Plaque verification"), Msg::AppName.text(locale.get()))/>
        <Meta name="robots" content="noindex"/>
        <section class="panel">
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => view! { <VerifyBody p=p/> }.into_any(),
                        Err(_) => view! {
                            <div class="verdict verdict--bad" data-testid="verify-status" data-status="unknown">
                                <h1 class="verdict__status">{move || locale.get().pick("查无此牌匾", "No such plaque")}</h1>
                                <p>{move || locale.get().pick("这个二维码不是东至县放心消费示范牌匾的有效二维码。请谨慎消费，可拨打 12315 反映。", "This QR code is not a valid Dongzhi trusted-consumption plaque. Take care, and call 12315 to report it.")}</p>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn VerifyBody(p: Plaque) -> impl IntoView {
    let locale = use_locale();
    let (czh, cen) = p.category.name();
    let (szh, sen) = p.status.name();
    let class = match p.status {
        PlaqueStatus::Valid => "verdict verdict--ok",
        _ => "verdict verdict--bad",
    };
    view! {
        <div class=class data-testid="verify-status" data-status=p.status.code() role="status">
            <p class="verdict__status">{move || locale.get().pick(szh, sen)}</p>
            {match p.status {
                PlaqueStatus::Valid => view! { <p>{move || format!("{}{}", locale.get().pick("有效期至 ", "Valid until "), date(locale.get(), &p.valid_until))}</p> }.into_any(),
                PlaqueStatus::Expired => view! { <p>{move || format!("{}{}{}", locale.get().pick("有效期已于 ", "Expired on "), date(locale.get(), &p.valid_until), locale.get().pick(" 届满。", "."))}</p> }.into_any(),
                PlaqueStatus::Revoked => view! {
                    <p><strong>{move || locale.get().pick("此单位的放心消费示范称号已被撤销，牌匾不再有效。", "This unit's recognition has been revoked: the plaque is no longer valid.")}</strong></p>
                    <p>{move || locale.get().pick("撤销日期：", "Revoked on: ")}{move || date(locale.get(), p.revoked_on.as_deref().unwrap_or_default())}</p>
                    <p>{move || locale.get().pick("撤销原因：", "Reason: ")}{p.revoke_reason.clone().unwrap_or_default()}</p>
                }.into_any(),
            }}
        </div>
        <h1 data-testid="verify-name">{p.organisation_name.clone()}</h1>
        <dl class="facts">
            <dt>{move || locale.get().pick("类别", "Category")}</dt><dd>{move || locale.get().pick(czh, cen)}</dd>
            <dt>{move || locale.get().pick("乡镇", "Township")}</dt><dd>{p.township.clone()}</dd>
            <dt>{move || locale.get().pick("统一社会信用代码", "Credit code")}</dt><dd>{p.credit_code.clone()}</dd>
            <dt>{move || locale.get().pick("证书编号", "Certificate")}</dt><dd data-testid="verify-certificate">{p.certificate_no.clone()}</dd>
            <dt>{move || locale.get().pick("认定日期", "Recognised on")}</dt><dd>{move || date(locale.get(), &p.recognised_on)}</dd>
        </dl>
        <section class="summary" data-testid="verify-complain">
            <p class="panel__lead">{move || locale.get().pick("在这家单位消费遇到问题？示范单位须在 10 个工作日内与您协商处理。", "A problem with a purchase here? Recognised units must settle with you within 10 working days.")}</p>
            <p class="verify-actions"><a class="button" href=format!("/complain?unit={}", p.token) data-testid="complain-here">{move || locale.get().pick("投诉这家单位", "Complain about this unit")}</a>
               <a href="/track">{move || locale.get().pick("查询投诉进度", "Follow a complaint")}</a></p>
            <p class="muted">{move || locale.get().pick("也可拨打 12315 投诉举报。", "You can also call 12315.")}</p>
        </section>
        <p><a href=format!("/units/{}", p.recognition_id) data-testid="verify-unit-link">{move || locale.get().pick("查看该单位的承诺和投诉情况", "See this unit's commitments and complaint record")}</a></p>
    }
}

#[component]
pub fn CertificatePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let data = Resource::new_blocking(token, fetch_plaque);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("示范证书", "Certificate"), Msg::AppName.text(locale.get()))/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(p) => {
                        let (czh, _) = p.category.name();
                        let year = p.recognised_on.get(..4).unwrap_or_default().to_string();
                        view! {
                            <p class="no-print"><button type="button" class="button" data-print="" data-testid="print-certificate">{move || locale.get().pick("打印证书", "Print")}</button></p>
                            <script src="/print.js" defer></script>
                            <article class="certificate" data-testid="certificate" lang="zh-CN">
                                <p class="certificate__issuer">"东至县放心消费创建工作领导小组"</p>
                                <h1 class="certificate__title">"放心消费示范" {czh.trim_start_matches("放心消费示范")}</h1>
                                <p class="certificate__name" data-testid="certificate-name">{p.organisation_name.clone()}</p>
                                <p class="certificate__text">{format!("经申报、乡镇初审、县级评审和社会公示，认定为{year}年度东至县{czh}。")}</p>
                                <p class="certificate__text">{format!("有效期至 {}", date(Locale::ZhCn, &p.valid_until))}</p>
                                <div class="certificate__foot">
                                    <div class="certificate__qr" inner_html=p.qr_svg.clone()></div>
                                    <div>
                                        <p data-testid="certificate-number">{format!("证书编号：{}", p.certificate_no)}</p>
                                        <p>{format!("认定日期：{}", date(Locale::ZhCn, &p.recognised_on))}</p>
                                        <p class="certificate__verify">{format!("扫码查验：{}", p.verify_url)}</p>
                                    </div>
                                </div>
                            </article>
                        }.into_any()
                    }
                    Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

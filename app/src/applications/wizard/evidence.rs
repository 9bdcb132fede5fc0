//! The evidence step: the licence, one slot per item needing evidence, other files.

use super::*;

#[component]
pub(super) fn EvidenceStep(data: WizardData, ctx: StepCtx) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let rules = data.item_rules();
    let slots = form::evidence_slots(&rules);
    let (used, max_total, max_file) = (
        data.evidence_bytes(),
        data.max_application_mb,
        data.max_file_mb,
    );
    let failed = query.with_untracked(|q| {
        let slot = q.get("slot")?;
        let p = text::upload_from_code(&q.get("upload_error")?, max_file, max_total)?;
        Some((slot, p))
    });
    let usage = move || {
        match locale.get() {
        Locale::ZhCn => format!("已上传 {}，合计上限 {max_total} MB；每个文件不超过 {max_file} MB，支持 JPG、PNG、WebP 图片和 PDF。大图片会在上传前自动压缩。", size(used)),
        Locale::En => format!("{} uploaded of {max_total} MB in all; at most {max_file} MB per file: JPG, PNG or WebP images and PDF. Large photos are shrunk before upload.", size(used)),
    }
    };
    view! {
        <p class="wizard__intro" data-testid="evidence-usage">{usage}</p>
        {slots.into_iter().map(|slot| {
            let (title, required): ((String, String), bool) = if slot == form::LICENCE_SLOT {
                (("营业执照或登记证书".into(), "Business licence or registration certificate".into()), true)
            } else if slot == form::OTHER_SLOT {
                (("其他材料（行业许可证、荣誉证书等，选填）".into(), "Other materials (permits, honours; optional)".into()), false)
            } else {
                let i: usize = slot.trim_start_matches("item").parse().unwrap_or(0);
                let item = data.items.get(i).cloned();
                (item.map(|it| (it.text_zh, it.text_en)).unwrap_or_default(), false)
            };
            let files: Vec<EvidenceView> = data.evidence.iter().filter(|e| e.slot == slot).cloned().collect();
            let error = failed.clone().filter(|(s, _)| *s == slot).map(|(_, p)| p);
            view! { <EvidenceSlot id=data.id slot_code=slot title required files editable=data.editable error ctx/> }.into_any()
        }).collect_view()}
        <StepForm ctx editable=data.editable/>
    }
}

#[component]
pub(super) fn EvidenceSlot(
    id: i64,
    slot_code: String,
    title: (String, String),
    required: bool,
    files: Vec<EvidenceView>,
    editable: bool,
    error: Option<form::UploadProblem>,
    ctx: StepCtx,
) -> impl IntoView {
    let locale = use_locale();
    let slot = slot_code;
    let problem = RwSignal::new(error);
    let progress = RwSignal::new(None::<u32>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    #[cfg(feature = "hydrate")]
    crate::applications::client::attach_upload(form_ref, problem, progress, ctx.refetch);
    #[cfg(not(feature = "hydrate"))]
    let _ = (&form_ref, ctx);
    let empty = files.is_empty();
    view! {
        <section class="slot" id=format!("slot-{slot}") data-slot=slot.clone() data-testid=format!("slot-{slot}")>
            <h2 class="slot__title">
                {pick(title.0, title.1)}
                {required.then(|| view! { <span class="badge badge--veto">{tr("必传", "Required")}</span> })}
                {(!required && slot.starts_with("item")).then(|| view! { <span class="badge badge--evidence">{tr("评分需要", "Needed for scoring")}</span> })}
            </h2>
            {(!empty).then(|| view! {
                <ul class="files">
                    {files.into_iter().map(|f| view! {
                        <li class="files__item" data-testid="evidence-file">
                            <a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name.clone()}</a>
                            <span class="files__size">{size(f.size_bytes)}</span>
                            {editable.then(|| view! {
                                <form method="post" action=format!("/apply/{id}/evidence/remove") class="files__remove">
                                    <input type="hidden" name="file" value=f.id/>
                                    <button type="submit" class="button button--small button--secondary">{tr("删除", "Remove")}</button>
                                </form>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {editable.then(|| view! {
                <form node_ref=form_ref method="post" enctype="multipart/form-data" action=format!("/apply/{id}/upload") class="upload" data-client="" data-testid="upload-form">
                    <input type="hidden" name="slot" value=slot.clone()/>
                    <input type="file" name="file" class="upload__input" aria-label=tr("选择文件", "Choose a file")
                        accept="image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"/>
                    <button type="submit" class="button button--small">{tr("上传", "Upload")}</button>
                    {move || progress.get().map(|p| view! {
                        <progress class="upload__progress" max="100" value=p aria-label=tr("上传进度", "Upload progress")></progress>
                    })}
                    <p class="field__error" role="alert" data-testid="upload-error">{move || problem.get().map(|p| text::upload(p, locale.get()))}</p>
                </form>
            })}
        </section>
    }
}

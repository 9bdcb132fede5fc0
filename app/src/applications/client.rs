//! (browser only) What the WASM adds to the wizard's plain forms: autosave shortly after
//! typing stops, an offline queue in `localStorage` that is retried until the server
//! has it, moving between steps without a page load, and uploads with progress and
//! photos shrunk before they leave the phone.
//!
//! The queue holds the latest whole form of a step (not a log of keystrokes), so
//! replaying it any number of times gives the same saved draft.

use super::wizard::{SaveStatus, StepCtx};
use super::SaveReply;
use domain::application::UploadProblem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, Element, File, FormData, HtmlFormElement, HtmlInputElement, HtmlSelectElement,
    ProgressEvent, SubmitEvent, UrlSearchParams, XmlHttpRequest,
};

/// Saves this long after the last keystroke: well inside the 2 s promise.
const DEBOUNCE: Duration = Duration::from_millis(600);
/// Retries a failed save this often until it goes through.
const RETRY: Duration = Duration::from_secs(4);
/// Photos larger than this are shrunk in the browser before upload.
const SHRINK_ABOVE_BYTES: f64 = 1.5 * 1024.0 * 1024.0;
const SHRINK_TO_PIXELS: f64 = 2000.0;

fn queue_key(ctx: &StepCtx) -> String {
    format!("fx-queue-{}-{}", ctx.app_id, ctx.step.code())
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn queued(ctx: &StepCtx) -> Option<String> {
    storage()?.get_item(&queue_key(ctx)).ok().flatten()
}

fn now_hms() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// The form as a URL-encoded body, with where to go.
fn body_of(form: &HtmlFormElement, go: &str) -> Option<String> {
    let data = FormData::new_with_form(form).ok()?;
    let params = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    params.set("go", go);
    Some(params.to_string().into())
}

enum Failure {
    /// No answer: offline or the server unreachable. Keep the queue and retry.
    Network,
    /// The server answered with an error status.
    Refused(u16),
}

async fn post_save(app_id: i64, body: &str) -> Result<SaveReply, Failure> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = web_sys::Headers::new().map_err(|_| Failure::Network)?;
    let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
    let _ = headers.set("Accept", "application/json");
    init.set_headers(&headers);
    let promise = window().fetch_with_str_and_init(&format!("/apply/{app_id}/save"), &init);
    let resp: web_sys::Response = JsFuture::from(promise)
        .await
        .map_err(|_| Failure::Network)?
        .unchecked_into();
    if !resp.ok() {
        return Err(Failure::Refused(resp.status()));
    }
    let text = JsFuture::from(resp.text().map_err(|_| Failure::Network)?)
        .await
        .map_err(|_| Failure::Network)?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text).map_err(|_| Failure::Refused(500))
}

/// One step form's autosave.
#[derive(Clone)]
struct Saver {
    ctx: StepCtx,
    generation: Rc<Cell<u64>>,
    in_flight: Rc<Cell<bool>>,
    retry_armed: Rc<Cell<bool>>,
}

impl Saver {
    /// Keeps the form's current values in the queue and saves them shortly.
    fn changed(&self, form: &HtmlFormElement) {
        if let (Some(s), Some(body)) = (storage(), body_of(form, "stay")) {
            let _ = s.set_item(&queue_key(&self.ctx), &body);
        }
        let mine = self.generation.get() + 1;
        self.generation.set(mine);
        let this = self.clone();
        set_timeout(
            move || {
                if this.generation.get() == mine {
                    this.flush();
                }
            },
            DEBOUNCE,
        );
    }

    /// Sends what is queued, if anything; one request at a time.
    fn flush(&self) {
        if self.in_flight.get() {
            return;
        }
        let Some(body) = queued(&self.ctx) else {
            return;
        };
        self.in_flight.set(true);
        self.ctx.status.set(SaveStatus::Saving);
        let this = self.clone();
        spawn_local(async move {
            let result = post_save(this.ctx.app_id, &body).await;
            this.in_flight.set(false);
            match result {
                Ok(_) => {
                    // Typed more meanwhile? Then the queue holds newer values: send those.
                    if queued(&this.ctx).as_deref() == Some(body.as_str()) {
                        if let Some(s) = storage() {
                            let _ = s.remove_item(&queue_key(&this.ctx));
                        }
                        this.ctx.status.set(SaveStatus::Saved(now_hms()));
                    } else {
                        this.flush();
                    }
                }
                Err(Failure::Refused(403)) | Err(Failure::Refused(404)) => {
                    // Submitted or handed over elsewhere: nothing here may change any more.
                    if let Some(s) = storage() {
                        let _ = s.remove_item(&queue_key(&this.ctx));
                    }
                    this.ctx.status.set(SaveStatus::Failed);
                    this.ctx.refetch.run(());
                }
                Err(e) => {
                    let offline = matches!(e, Failure::Network) || !window().navigator().on_line();
                    this.ctx.status.set(if offline {
                        SaveStatus::Offline
                    } else {
                        SaveStatus::Failed
                    });
                    this.retry_later();
                }
            }
        });
    }

    fn retry_later(&self) {
        if self.retry_armed.replace(true) {
            return;
        }
        let this = self.clone();
        set_timeout(
            move || {
                this.retry_armed.set(false);
                this.flush();
            },
            RETRY,
        );
    }
}

/// The name and current value of a form control, as the form would post it.
fn control_value(target: &Element) -> Option<(String, String)> {
    let name = target.get_attribute("name")?;
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        let v = match input.type_().as_str() {
            "checkbox" => {
                if input.checked() {
                    input.value()
                } else {
                    String::new()
                }
            }
            "radio" if !input.checked() => return None,
            "file" => return None,
            _ => input.value(),
        };
        return Some((name, v));
    }
    target
        .dyn_ref::<HtmlSelectElement>()
        .map(|s| (name, s.value()))
}

/// Puts queued values back into the form (after a reload while offline, say).
fn restore(form: &HtmlFormElement, body: &str, ctx: &StepCtx) {
    let Ok(params) = UrlSearchParams::new_with_str(body) else {
        return;
    };
    let controls = form.elements();
    for i in 0..controls.length() {
        let Some(el) = controls.item(i) else { continue };
        let Some(name) = el.get_attribute("name") else {
            continue;
        };
        if name == "step" || name == "go" {
            continue;
        }
        let value = params.get(&name);
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            match input.type_().as_str() {
                "checkbox" | "radio" => input.set_checked(value.as_deref() == Some(&input.value())),
                "hidden" | "submit" | "file" => continue,
                _ => input.set_value(value.as_deref().unwrap_or("")),
            }
        } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
            select.set_value(value.as_deref().unwrap_or(""));
        }
        ctx.live.update(|l| {
            l.insert(name.clone(), value.clone().unwrap_or_default());
        });
    }
}

fn listen<E: wasm_bindgen::convert::FromWasmAbi + 'static>(
    target: &web_sys::EventTarget,
    event: &str,
    f: impl FnMut(E) + 'static,
) {
    let cb = Closure::<dyn FnMut(E)>::new(f);
    let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    // The form lives as long as the page; so does its listener.
    cb.forget();
}

/// Runs `wire` once, when the form is in the page.
fn on_mounted(form_ref: NodeRef<leptos::html::Form>, wire: impl Fn(HtmlFormElement) + 'static) {
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        match form_ref.get() {
            Some(form) => {
                wire(form.clone());
                // Tests (and styles) can tell a wired form from a server-rendered one:
                // the page's body is marked hydrated before lazy content is wired.
                let _ = form.set_attribute("data-live", "true");
                true
            }
            None => false,
        }
    });
}

/// Wires one step form: autosave, the queue, instant checks and in-app navigation.
pub fn attach(ctx: StepCtx, form_ref: NodeRef<leptos::html::Form>) {
    let navigate = leptos_router::hooks::use_navigate();
    on_mounted(form_ref, move |form: HtmlFormElement| {
        let saver = Saver {
            ctx,
            generation: Rc::new(Cell::new(0)),
            in_flight: Rc::new(Cell::new(false)),
            retry_armed: Rc::new(Cell::new(false)),
        };
        let target: web_sys::EventTarget = form.clone().into();
        for event in ["input", "change"] {
            let (saver, form) = (saver.clone(), form.clone());
            listen(&target, event, move |ev: web_sys::Event| {
                let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                    return;
                };
                if let Some((name, value)) = control_value(&el) {
                    ctx.live.update(|l| {
                        l.insert(name, value);
                    });
                }
                saver.changed(&form);
            });
        }
        listen(&target, "focusout", move |ev: web_sys::Event| {
            if let Some(name) = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|e| e.get_attribute("name"))
            {
                ctx.touched.update(|t| {
                    t.insert(name);
                });
            }
        });
        {
            let (saver, form, navigate) = (saver.clone(), form.clone(), navigate.clone());
            listen(&target, "submit", move |ev: SubmitEvent| {
                ev.prevent_default();
                let go = ev
                    .submitter()
                    .and_then(|b| b.get_attribute("value"))
                    .unwrap_or_else(|| "stay".into());
                let Some(body) = body_of(&form, &go) else {
                    return;
                };
                // Keep it queued until the server has it (as a plain save).
                if let (Some(s), Some(stay)) = (storage(), body_of(&form, "stay")) {
                    let _ = s.set_item(&queue_key(&ctx), &stay);
                }
                saver.generation.set(saver.generation.get() + 1);
                ctx.status.set(SaveStatus::Saving);
                let (saver, navigate) = (saver.clone(), navigate.clone());
                spawn_local(async move {
                    match post_save(ctx.app_id, &body).await {
                        Ok(reply) => {
                            if let Some(s) = storage() {
                                let _ = s.remove_item(&queue_key(&ctx));
                            }
                            ctx.status.set(SaveStatus::Saved(now_hms()));
                            if go == "next" && !reply.problems.is_empty() {
                                ctx.check_all.set(true);
                                focus_first_problem();
                            } else {
                                navigate(&reply.next, Default::default());
                            }
                        }
                        Err(Failure::Refused(403)) | Err(Failure::Refused(404)) => {
                            ctx.refetch.run(())
                        }
                        Err(_) => {
                            ctx.status.set(SaveStatus::Offline);
                            saver.retry_later();
                        }
                    }
                });
            });
        }
        {
            let saver = saver.clone();
            listen(&window().into(), "online", move |_: web_sys::Event| {
                saver.flush()
            });
        }
        if let Some(body) = queued(&ctx) {
            restore(&form, &body, &ctx);
            saver.flush();
        }
    });
}

fn focus_first_problem() {
    // Let the problems render first.
    set_timeout(
        || {
            if let Ok(Some(el)) = document()
                .query_selector(".field--invalid input:not([type=hidden]), .field--invalid select")
            {
                if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        },
        Duration::from_millis(30),
    );
}

/// Wires one upload form: shrink big photos, upload with progress, show the verdict.
pub fn attach_upload(
    form_ref: NodeRef<leptos::html::Form>,
    problem: RwSignal<Option<UploadProblem>>,
    progress: RwSignal<Option<u32>>,
    refetch: Callback<()>,
) {
    on_mounted(form_ref, move |form: HtmlFormElement| {
        let target: web_sys::EventTarget = form.clone().into();
        listen(&target, "submit", move |ev: SubmitEvent| {
            ev.prevent_default();
            let file = form
                .query_selector("input[type=file]")
                .ok()
                .flatten()
                .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            let Some(file) = file else {
                problem.set(Some(UploadProblem::Empty));
                return;
            };
            let slot = form
                .query_selector("input[name=slot]")
                .ok()
                .flatten()
                .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
                .map(|i| i.value())
                .unwrap_or_default();
            let action = form.action();
            problem.set(None);
            progress.set(Some(0));
            spawn_local(async move {
                let (blob, name) = shrink(&file).await;
                send(&action, &slot, &blob, &name, problem, progress, refetch);
            });
        });
    });
}

/// A photo above the threshold, redrawn at most 2000 px on its longer side as JPEG.
/// Anything else (PDFs, small images, files that are not images at all) goes as it is:
/// the server decides by content.
async fn shrink(file: &File) -> (Blob, String) {
    let original = (file.clone().into(), file.name());
    if !file.type_().starts_with("image/") || file.size() <= SHRINK_ABOVE_BYTES {
        return original;
    }
    let Ok(promise) = window().create_image_bitmap_with_blob(file) else {
        return original;
    };
    let Ok(bitmap) = JsFuture::from(promise).await else {
        return original;
    };
    let bitmap: web_sys::ImageBitmap = bitmap.unchecked_into();
    let (w, h) = (bitmap.width() as f64, bitmap.height() as f64);
    let scale = (SHRINK_TO_PIXELS / w.max(h)).min(1.0);
    let (w, h) = ((w * scale).round(), (h * scale).round());
    let Some(canvas) = document()
        .create_element("canvas")
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return original;
    };
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return original;
    };
    if context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, w, h)
        .is_err()
    {
        return original;
    }
    let blob = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = canvas.to_blob_with_type_and_encoder_options(
            &resolve,
            "image/jpeg",
            &JsValue::from_f64(0.85),
        );
    });
    match JsFuture::from(blob)
        .await
        .ok()
        .and_then(|b| b.dyn_into::<Blob>().ok())
    {
        Some(b) if b.size() < file.size() => {
            let stem = file.name();
            let stem = stem
                .rsplit_once('.')
                .map(|(s, _)| s.to_string())
                .unwrap_or(stem);
            (b, format!("{stem}.jpg"))
        }
        _ => original,
    }
}

fn send(
    action: &str,
    slot: &str,
    blob: &Blob,
    name: &str,
    problem: RwSignal<Option<UploadProblem>>,
    progress: RwSignal<Option<u32>>,
    refetch: Callback<()>,
) {
    let Ok(xhr) = XmlHttpRequest::new() else {
        return;
    };
    let Ok(data) = FormData::new() else { return };
    let _ = data.append_with_str("slot", slot);
    let _ = data.append_with_blob_and_filename("file", blob, name);
    if xhr.open("POST", action).is_err() {
        return;
    }
    let _ = xhr.set_request_header("Accept", "application/json");
    if let Ok(upload) = xhr.upload() {
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress.set(Some((e.loaded() / e.total() * 100.0) as u32));
            }
        });
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    let done = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || {
            progress.set(None);
            match xhr.status().unwrap_or(0) {
                200 => refetch.run(()),
                // 422: the file was refused; 507: the server's storage is full.
                422 | 507 => {
                    let text = xhr.response_text().ok().flatten().unwrap_or_default();
                    problem.set(
                        serde_json::from_str(&text)
                            .ok()
                            .or(Some(UploadProblem::Network)),
                    );
                }
                _ => problem.set(Some(UploadProblem::Network)),
            }
        })
    };
    xhr.set_onload(Some(done.as_ref().unchecked_ref()));
    done.forget();
    let failed = Closure::<dyn FnMut()>::new(move || {
        progress.set(None);
        problem.set(Some(UploadProblem::Network));
    });
    xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
    failed.forget();
    let _ = xhr.send_with_opt_form_data(Some(&data));
}

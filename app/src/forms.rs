//! Form pieces shared by every page: a labelled field that validates as the user types
//! (with the same rules the server applies) and shows the server's verdict, and the
//! form-level error banner.

use crate::errors::{AppError, Field, Problem};
use crate::i18n::{t, use_locale, Msg};
use leptos::prelude::*;

/// The latest error of a server action, as a signal.
pub fn action_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    })
}

#[component]
pub fn TextField(
    field: Field,
    /// The form field name the server function expects.
    name: &'static str,
    value: RwSignal<String>,
    server_error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<Msg>,
    #[prop(optional)] check: Option<fn(&str) -> Option<Problem>>,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// Increments at every submission, so a server verdict shows until the next edit.
    submissions: Signal<usize>,
) -> impl IntoView {
    let locale = use_locale();
    let touched = RwSignal::new(false);
    let edited_at = RwSignal::new(0usize);
    let id = format!("f-{name}").replace(['[', ']'], "-");
    let err_id = format!("{id}-error");
    let problem = move || {
        // "Required" waits for the submission: flagging an empty field the moment it
        // loses focus shifts the layout under a click on the submit button.
        let local = if touched.get() {
            check
                .and_then(|c| c(&value.get()))
                .filter(|p| *p != Problem::Required)
        } else {
            None
        };
        local.or_else(|| {
            if edited_at.get() > submissions.get() {
                None
            } else {
                server_error.get().and_then(|e| e.problem_with(field))
            }
        })
    };
    let invalid = move || problem().is_some();
    view! {
        <div class="field" class:field--invalid=invalid data-field=name>
            <label for=id.clone()>{t(field.label())}</label>
            {hint.map(|h| view! { <p class="field__hint">{t(h)}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    edited_at.set(submissions.get_untracked() + 1);
                }
                on:blur=move |_| touched.set(true)
                aria-invalid=move || invalid().to_string()
                aria-describedby=err_id.clone()
            />
            <p class="field__error" id=err_id role="alert">
                {move || problem().map(|p| format!("{}：{}", field.label().text(locale.get()), p.message().text(locale.get())))}
            </p>
        </div>
    }
}

/// The banner above a form: what went wrong as a whole.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        {move || error.get().map(|e| {
            let extra = match &e {
                AppError::Locked(until) => Some(until.replace('T', " ").chars().take(16).collect::<String>() + " UTC"),
                _ => None,
            };
            view! {
                <div class="alert alert--error" role="alert" data-testid="form-error">
                    {t(e.message())}
                    {extra.map(|x| view! { <span class="alert__detail">" ("{x}")"</span> })}
                </div>
            }
        })}
    }
}

/// Counts submissions of an action (each time it becomes pending).
pub fn submission_counter<I, O>(action: ServerAction<I>) -> Signal<usize>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let count = RwSignal::new(0usize);
    Effect::new(move |_| {
        if action.pending().get() {
            count.update(|c| *c += 1);
        }
    });
    count.into()
}

/// The one-line outcome of a plain form post, read from the page's `?done=` or
/// `?error=`: green for `done`, red for `error`, in the words `text` gives the code.
#[component]
pub fn PostNote(text: fn(&str, domain::Locale) -> String, testid: &'static str) -> impl IntoView {
    let locale = crate::i18n::use_locale();
    let query = leptos_router::hooks::use_query_map();
    let note = move || {
        query.with(|q| {
            q.get("done")
                .map(|c| (true, c))
                .or_else(|| q.get("error").map(|c| (false, c)))
        })
    };
    move || {
        note().map(|(ok, code)| {
            view! {
                <p class=if ok { "alert alert--ok" } else { "alert alert--error" } role="status" data-testid=testid>
                    {move || text(&code, locale.get())}
                </p>
            }
        })
    }
}

/// A page's data, once loaded: the view of it, or the error in the reader's language.
/// (The frame every data page would otherwise write out: Suspense, loading, error.)
#[component]
pub fn Loaded<T, V>(
    data: Resource<Result<T, crate::errors::AppError>>,
    view: fn(T) -> V,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + for<'de> serde::Deserialize<'de> + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view(v).into_any(),
                    Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A submit button for a step that cannot be undone: a first click only asks, and the
/// question holds the button that acts. A `<details>` disclosure, so it asks without
/// JavaScript too. `testid` names the acting button; the asking one is `{testid}-ask`.
#[component]
pub fn ConfirmSubmit(
    /// What the asking button says.
    label: (&'static str, &'static str),
    /// The question, saying what will happen.
    question: (&'static str, &'static str),
    /// What the acting button says.
    act: (&'static str, &'static str),
    testid: &'static str,
    /// The acting button's name and value, when the form tells several actions apart.
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(optional)] value: Option<&'static str>,
    #[prop(optional)] small: bool,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <details class="confirm">
            <summary class="button button--danger-ghost" class:button--small=small data-testid=format!("{testid}-ask")>
                {move || locale.get().pick(label.0, label.1)}
            </summary>
            <div class="confirm__panel" role="group">
                <p class="confirm__question">{move || locale.get().pick(question.0, question.1)}</p>
                <button type="submit" class="button button--danger" name=name value=value data-testid=testid>
                    {move || locale.get().pick(act.0, act.1)}
                </button>
            </div>
        </details>
    }
}

/// What a page says when its data cannot be shown, in the reader's language. Rendered on
/// the server, it also sets the response's status (404 for an id one may not see, 403,
/// 401 …), so a page that is "not found" is not answered 200.
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(error.status()) {
            resp.set_status(code);
        }
    }
    view! { <p class="alert alert--error" role="alert" data-testid="page-error">{t(error.message())}</p> }
}

/// The text to put between `<textarea>` tags. The renderer writes a textarea's children
/// to the page unescaped, so a refilled `</textarea><script>…` would end the element and
/// become markup. On the server the text is escaped (the browser decodes a textarea's
/// character references back into the same text); in the browser it is set as text.
pub fn textarea_text(text: impl AsRef<str>) -> String {
    let text = text.as_ref();
    #[cfg(feature = "ssr")]
    {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_string()
    }
}

//! Sign-in, registration, the steps owed after sign-in, and the account page.

use super::validate;
use super::*;
use crate::errors::Field;
use crate::forms::{action_error, submission_counter, FormError, TextField};
use crate::i18n::{pick, t, use_locale, Msg};
use crate::layout::Title;
use leptos::form::ActionForm;

fn page_title(msg: Msg) -> impl IntoView {
    let locale = use_locale();
    view! { <Title text=move || format!("{} · {}", msg.text(locale.get()), Msg::AppName.text(locale.get()))/> }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = action_error(action);
    let submissions = submission_counter(action);
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // The page that sent the visitor here (`?next=`), checked again on the server.
    let next = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("next"))
        .unwrap_or_default();
    view! {
        {page_title(Msg::LoginTitle)}
        <section class="panel panel--narrow">
            <h1>{t(Msg::LoginTitle)}</h1>
            <p class="panel__lead">{t(Msg::LoginLead)}</p>
            <FormError error/>
            <ActionForm action attr:class="form" attr:data-testid="login-form">
                <TextField field=Field::Login name="login" value=login server_error=error submissions autocomplete="username"/>
                <TextField field=Field::Password name="password" kind="password" value=password server_error=error submissions autocomplete="current-password"/>
                <input type="hidden" name="next" value=next/>
                <button class="button button--block" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { Msg::Working } else { Msg::LoginSubmit }.text(use_locale().get())}
                </button>
            </ActionForm>
            <p class="panel__foot">{t(Msg::NoAccountYet)}" "<a href="/register">{t(Msg::NavRegister)}</a></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = action_error(action);
    let submissions = submission_counter(action);
    let townships = Resource::new(|| (), |_| townships());
    let locale = use_locale();
    let f = RegistrationFields::default();
    let category_problem = move || {
        error
            .get()
            .and_then(|e| e.problem_with(Field::Category))
            .map(|p| p.message().text(locale.get()))
    };
    let township_problem = move || {
        error
            .get()
            .and_then(|e| e.problem_with(Field::Township))
            .map(|p| p.message().text(locale.get()))
    };
    view! {
        {page_title(Msg::RegisterTitle)}
        <section class="panel">
            <h1>{t(Msg::RegisterTitle)}</h1>
            <p class="panel__lead">{t(Msg::RegisterLead)}</p>
            <FormError error/>
            <ActionForm action attr:class="form form--two" attr:data-testid="register-form">
                <TextField field=Field::CreditCode name="input[credit_code]" value=f.credit_code server_error=error submissions
                    check=validate::credit_code_problem autocomplete="off"/>
                <TextField field=Field::OrganisationName name="input[name]" value=f.name server_error=error submissions
                    check=validate::text_problem autocomplete="organization"/>
                <div class="field" class:field--invalid=move || category_problem().is_some() data-field="input[category]">
                    <label for="f-category">{t(Field::Category.label())}</label>
                    <select id="f-category" name="input[category]"
                        on:change=move |ev| f.category.set(event_target_value(&ev))
                        prop:value=move || f.category.get()
                        aria-describedby="f-category-error">
                        <option value="">{t(Msg::ChooseOne)}</option>
                        {domain::Category::ALL.into_iter().map(|c| {
                            let (zh, en) = c.name();
                            view! { <option value=c.code()>{move || locale.get().pick(zh, en).to_string()}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field__error" id="f-category-error" role="alert">{category_problem}</p>
                </div>
                <div class="field" class:field--invalid=move || township_problem().is_some() data-field="input[township]">
                    <label for="f-township">{t(Field::Township.label())}</label>
                    <select id="f-township" name="input[township]"
                        on:change=move |ev| f.township.set(event_target_value(&ev))
                        prop:value=move || f.township.get()
                        aria-describedby="f-township-error">
                        <option value="">{t(Msg::ChooseOne)}</option>
                        <Suspense>
                            {move || Suspend::new(async move {
                                townships.await.unwrap_or_default().into_iter().map(|o| {
                                    view! { <option value=o.code.clone()>{pick(o.zh, o.en)}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                    <p class="field__error" id="f-township-error" role="alert">{township_problem}</p>
                </div>
                <TextField field=Field::ContactName name="input[contact_name]" value=f.contact_name server_error=error submissions
                    check=validate::text_problem autocomplete="name"/>
                <TextField field=Field::Mobile name="input[mobile]" kind="tel" inputmode="tel" value=f.mobile server_error=error submissions
                    check=validate::mobile_problem autocomplete="tel"/>
                <TextField field=Field::Password name="input[password]" kind="password" value=f.password server_error=error submissions
                    hint=Msg::PasswordRules autocomplete="new-password" check=|p| validate::password_problem(p, "")/>
                <TextField field=Field::PasswordConfirm name="input[password_confirm]" kind="password" value=f.password_confirm server_error=error submissions
                    autocomplete="new-password"/>
                <div class="form__actions">
                    <button class="button button--block" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { Msg::Working } else { Msg::RegisterSubmit }.text(locale.get())}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[derive(Clone, Copy)]
struct RegistrationFields {
    credit_code: RwSignal<String>,
    name: RwSignal<String>,
    category: RwSignal<String>,
    township: RwSignal<String>,
    contact_name: RwSignal<String>,
    mobile: RwSignal<String>,
    password: RwSignal<String>,
    password_confirm: RwSignal<String>,
}

impl Default for RegistrationFields {
    fn default() -> Self {
        let s = || RwSignal::new(String::new());
        RegistrationFields {
            credit_code: s(),
            name: s(),
            category: s(),
            township: s(),
            contact_name: s(),
            mobile: s(),
            password: s(),
            password_confirm: s(),
        }
    }
}

#[component]
pub fn TotpVerifyPage() -> impl IntoView {
    let action = ServerAction::<VerifyTotp>::new();
    let error = action_error(action);
    let submissions = submission_counter(action);
    let code = RwSignal::new(String::new());
    view! {
        {page_title(Msg::TotpVerifyTitle)}
        <section class="panel panel--narrow">
            <h1>{t(Msg::TotpVerifyTitle)}</h1>
            <p class="panel__lead">{t(Msg::TotpVerifyLead)}</p>
            <FormError error/>
            <ActionForm action attr:class="form">
                <TextField field=Field::TotpCode name="code" inputmode="numeric" autocomplete="one-time-code" value=code server_error=error submissions/>
                <button class="button button--block" type="submit">{t(Msg::TotpSubmit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = action_error(action);
    let submissions = submission_counter(action);
    let new_password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    view! {
        {page_title(Msg::ChangePasswordTitle)}
        <section class="panel panel--narrow">
            <h1>{t(Msg::ChangePasswordTitle)}</h1>
            <p class="panel__lead">{t(Msg::ChangePasswordLead)}</p>
            <FormError error/>
            <ActionForm action attr:class="form">
                <TextField field=Field::NewPassword name="new_password" kind="password" autocomplete="new-password"
                    hint=Msg::PasswordRules value=new_password server_error=error submissions/>
                <TextField field=Field::PasswordConfirm name="password_confirm" kind="password" autocomplete="new-password"
                    value=confirm server_error=error submissions/>
                <button class="button button--block" type="submit">{t(Msg::ChangePasswordSubmit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn TotpEnrolPage() -> impl IntoView {
    let enrolment = Resource::new_blocking(|| (), |_| start_totp_enrolment());
    let action = ServerAction::<ConfirmTotp>::new();
    let error = action_error(action);
    let submissions = submission_counter(action);
    let code = RwSignal::new(String::new());
    view! {
        {page_title(Msg::TotpEnrolTitle)}
        <section class="panel panel--narrow">
            <h1>{t(Msg::TotpEnrolTitle)}</h1>
            <p class="panel__lead">{t(Msg::TotpEnrolLead)}</p>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match enrolment.await {
                        Ok(e) => view! {
                            <div class="totp">
                                <div class="totp__qr" inner_html=e.qr_svg></div>
                                <p class="totp__secret">{t(Msg::TotpSecretLabel)}" "<code data-testid="totp-secret">{e.secret}</code></p>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert--error">{t(e.message())}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <FormError error/>
            <ActionForm action attr:class="form">
                <TextField field=Field::TotpCode name="code" inputmode="numeric" autocomplete="one-time-code" value=code server_error=error submissions/>
                <button class="button button--block" type="submit">{t(Msg::TotpSubmit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = Resource::new_blocking(|| (), |_| whoami());
    let locale = use_locale();
    let logout_all = ServerAction::<LogoutEverywhere>::new();
    view! {
        {page_title(Msg::AccountTitle)}
        <section class="panel">
            <h1>{t(Msg::AccountTitle)}</h1>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(u)) => {
                            let (rzh, ren) = u.role.name();
                            view! {
                                <dl class="facts" data-testid="account-facts">
                                    <div><dt>{t(Field::Login.label())}</dt><dd>{u.login.clone()}</dd></div>
                                    <div><dt>{t(Field::DisplayName.label())}</dt><dd>{u.display_name.clone()}</dd></div>
                                    <div><dt>{t(Msg::AccountRole)}</dt><dd data-testid="account-role">{move || locale.get().pick(rzh, ren).to_string()}</dd></div>
                                    <div><dt>{t(Msg::AccountArea)}</dt><dd>{pick(u.area_zh.clone(), u.area_en.clone())}</dd></div>
                                    <div><dt>{t(Msg::AccountTwoFactor)}</dt><dd>{t(if u.totp_enrolled { Msg::TwoFactorOn } else { Msg::TwoFactorOff })}</dd></div>
                                </dl>
                            }.into_any()
                        }
                        _ => view! { <p class="alert alert--error">{t(Msg::ErrorSignInRequired)}" "<a href="/login">{t(Msg::NavLogin)}</a></p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=logout_all attr:class="form form--inline">
                <button class="button button--secondary" type="submit">{t(Msg::LogoutEverywhere)}</button>
            </ActionForm>
        </section>
    }
}
